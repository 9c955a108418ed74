import {
  messageKey,
  type AuditMessage,
  type FulfilmentEvent,
  type FulfilmentMessage,
  type OrderMessage,
  type ShipmentMessage,
} from './contract.js';

/** Copies the fields that are set (not null) of `from` into `to`, as optional wire fields. */
function withOptional<T extends object>(to: T, from: Record<string, unknown>, fields: readonly string[]): T {
  for (const f of fields)
    if (from[f] !== null && from[f] !== undefined) (to as Record<string, unknown>)[f] = from[f];
  return to;
}

/** The wire form (CONTRACT.md) of a normalised event: what a producer publishes to say the same. */
export function toWire(e: FulfilmentEvent): FulfilmentMessage {
  const common = { eventId: e.eventId, timestamp: e.occurredAt.toISOString() };
  switch (e.stream) {
    case 'orders': {
      const m: OrderMessage = {
        ...common,
        eventType: e.eventType,
        orderId: e.orderId,
        warehouseId: e.warehouseId,
      };
      if (e.lines) m.lines = e.lines;
      if (e.promisedDispatchAt) m.promisedDispatchAt = e.promisedDispatchAt.toISOString();
      return withOptional(m, e as unknown as Record<string, unknown>, [
        'customerId',
        'sku',
        'quantity',
        'reason',
      ]);
    }
    case 'shipments': {
      const m: ShipmentMessage = {
        ...common,
        eventType: e.eventType,
        shipmentId: e.shipmentId,
        orderId: e.orderId,
        warehouseId: e.warehouseId,
        carrier: e.carrier,
      };
      return withOptional(m, e as unknown as Record<string, unknown>, [
        'trackingNumber',
        'location',
        'exceptionCode',
        'detail',
      ]);
    }
    case 'audit': {
      const m: AuditMessage = { ...common, eventType: e.eventType, actor: e.actor };
      if (e.entity !== 'stock') {
        m.entity = e.entity;
        m.entityId = e.entityId;
        if (e.field) m.field = e.field;
        m.oldValue = e.oldValue;
        m.newValue = e.newValue;
      }
      return withOptional(m, e as unknown as Record<string, unknown>, [
        'warehouseId',
        'sku',
        'countedQuantity',
        'expectedQuantity',
        'quantityChange',
        'referenceId',
        'reasonCode',
      ]);
    }
  }
}

/** The Kafka message of a normalised event: its key (`messageKey`) and the JSON of its wire form. */
export function toKafkaRecord(e: FulfilmentEvent): { key: string; value: string } {
  return { key: messageKey(e), value: JSON.stringify(toWire(e)) };
}
