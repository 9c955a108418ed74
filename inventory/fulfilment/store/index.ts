/** SQL of the order, shipment and audit streams: their events, projections, reconciliation and metrics. */
export { insertFulfilmentEvents, insertFulfilmentBatch, EVENT_TABLES } from './insertFulfilmentEvents.js';
export { loadStoredEvents, type StoredFulfilmentEvent } from './loadStoredEvents.js';
export { deletePairFulfilment } from './deletePairFulfilment.js';
export {
  RECONCILIATION_RULES,
  RECONCILIATION_LAG,
  RECONCILIATION_WINDOW,
  ORDER_REFERENCE_PREFIX,
  type ReconciliationRule,
} from './reconciliation.js';
export {
  FULFILMENT_METRICS_SQL,
  FULFILMENT_METRIC_COLUMNS,
  fulfilmentMetricsSql,
  computeFulfilmentMetrics,
  writeDailyFulfilmentMetrics,
  readDailyFulfilmentMetrics,
  type DailyFulfilmentRow,
  type FulfilmentMetrics,
} from './fulfilmentMetrics.js';
export { fulfilmentMetricTimes } from './fulfilmentMetricTimes.js';
export {
  hasUndispatchedOrders,
  loadDispatchQueues,
  loadOverdueOrders,
  loadWarehouseFlows,
  lockLateDispatch,
  STALE_PROMISE,
  type OverdueOrder,
} from './dispatchQueue.js';
export { loadShipmentScans, type ShipmentScan } from './shipmentScans.js';
