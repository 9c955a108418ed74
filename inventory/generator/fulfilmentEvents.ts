/**
 * The order, shipment and audit events of the demo feed, built from what the feed knows (its
 * order, its shipment, a ledger fact): every field the contract names, in its normalised form.
 */
import type { AuditEvent, OrderEvent, ShipmentEvent } from '../fulfilment/index.js';
import type { Rng } from './random.js';

/** The order an event belongs to. */
export interface OrderRef {
  orderId: string;
  warehouseId: string;
}

/** A parcel of an order. */
export interface ShipmentRef {
  shipmentId: string;
  carrier: string;
  trackingNumber: string;
}

export function orderEvent(
  rng: Rng,
  o: OrderRef,
  eventType: OrderEvent['eventType'],
  at: number,
  extra: Partial<Pick<OrderEvent, 'sku' | 'quantity' | 'reason'>>,
): OrderEvent {
  return {
    stream: 'orders',
    eventId: rng.uuid(),
    eventType,
    orderId: o.orderId,
    warehouseId: o.warehouseId,
    occurredAt: new Date(Math.round(at)),
    lines: null,
    promisedDispatchAt: null,
    customerId: null,
    sku: null,
    quantity: null,
    reason: null,
    ...extra,
  };
}

export function shipmentEvent(
  rng: Rng,
  o: OrderRef,
  ship: ShipmentRef,
  eventType: ShipmentEvent['eventType'],
  at: number,
): ShipmentEvent {
  return {
    stream: 'shipments',
    eventId: rng.uuid(),
    eventType,
    shipmentId: ship.shipmentId,
    orderId: o.orderId,
    warehouseId: o.warehouseId,
    carrier: ship.carrier,
    occurredAt: new Date(Math.round(at)),
    trackingNumber: ship.trackingNumber,
    location: null,
    exceptionCode: null,
    detail: null,
  };
}

/** An audit event about the stock of a pair (`entity` stock, id `SKU:WAREHOUSE`), by `who`. */
export function auditEvent(
  rng: Rng,
  f: { sku: string; warehouseId: string; at: number },
  eventType: AuditEvent['eventType'],
  who: string,
): AuditEvent {
  return {
    stream: 'audit',
    eventId: rng.uuid(),
    eventType,
    actor: `${who}@${f.warehouseId.toLowerCase()}`,
    occurredAt: new Date(f.at),
    warehouseId: f.warehouseId,
    sku: f.sku,
    entity: 'stock',
    entityId: `${f.sku}:${f.warehouseId}`,
    field: null,
    oldValue: null,
    newValue: null,
    quantityChange: null,
    countedQuantity: null,
    expectedQuantity: null,
    referenceId: null,
    reasonCode: null,
  };
}
