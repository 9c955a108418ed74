/**
 * Orders, shipments and audit (CONTRACT.md): the three event contracts and their validation, the
 * effectively-once write of their events with the projections it moves, the reconciliation of
 * orders with the inventory ledger (two data-quality rules), the fulfilment metrics, and the rules
 * of the fulfilment alerts (late dispatch, shipment exception, audit policy).
 */
export * from './contract.js';
export {
  validateFulfilmentMessage,
  referencedIds,
  type FulfilmentLimits,
  type FulfilmentValidation,
} from './validate.js';
export { settleRepeat, type Repeat } from './repeats.js';
export { toWire, toKafkaRecord } from './wire.js';
export * from './store/index.js';
export * from './alerts/index.js';
