/**
 * The order, shipment and audit event contracts (CONTRACT.md in this folder): the vocabulary
 * shared by producers (the generator), the streaming sidecar, the stores and the pages.
 */

/** The three streams, by the short name the topics, tables and metrics use. */
export const FULFILMENT_STREAMS = ['orders', 'shipments', 'audit'] as const;
export type FulfilmentStream = (typeof FULFILMENT_STREAMS)[number];

export const ORDER_EVENT_TYPES = [
  'ORDER_CREATED',
  'LINE_RESERVED',
  'LINE_PICKED',
  'ORDER_PACKED',
  'ORDER_CANCELLED',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
/** Order events about one line (they carry `sku` and `quantity`). */
export const LINE_EVENT_TYPES: ReadonlySet<OrderEventType> = new Set(['LINE_RESERVED', 'LINE_PICKED']);

export const SHIPMENT_EVENT_TYPES = ['DISPATCHED', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION'] as const;
export type ShipmentEventType = (typeof SHIPMENT_EVENT_TYPES)[number];
export const SHIPMENT_EXCEPTION_CODES = ['DAMAGED', 'ADDRESS_ISSUE', 'DELAYED', 'LOST', 'REFUSED'] as const;
export type ShipmentExceptionCode = (typeof SHIPMENT_EXCEPTION_CODES)[number];

export const AUDIT_EVENT_TYPES = ['STOCK_COUNT', 'MANUAL_ADJUSTMENT', 'MASTER_DATA_EDIT'] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
/** What a master-data edit changed; stock counts and adjustments are about `stock` (sku:warehouse). */
export const AUDIT_ENTITIES = ['stock', 'product', 'warehouse', 'stock_policy'] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];

/** Most lines in one order. */
export const MAX_ORDER_LINES = 100;
/** Largest accepted quantity (as for inventory events, SPEC §3). */
export const MAX_FULFILMENT_QUANTITY = 1_000_000;

/**
 * Why a message was dead-lettered (`x-dlq-reason`): the same strings as the inventory events'
 * reasons, so the DLQ tools and `dlq_messages_total{reason}` read them alike.
 */
export const FULFILMENT_REJECT_REASONS = [
  'empty_message',
  'message_too_large',
  'invalid_json',
  'not_an_object',
  'missing_field',
  'invalid_field',
  'invalid_event_id',
  'unknown_event_type',
  'invalid_quantity',
  'zero_quantity',
  'wrong_sign',
  'quantity_out_of_range',
  'invalid_timestamp',
  'future_timestamp',
  'stale_timestamp',
  'unknown_sku',
  'unknown_warehouse',
  'conflicting_duplicate',
] as const;
export type FulfilmentRejectReason = (typeof FULFILMENT_REJECT_REASONS)[number];

/** An order line as it travels in ORDER_CREATED. */
export interface OrderLine {
  sku: string;
  quantity: number;
}

/** Wire form of an order event (JSON on `warehouse-orders`, key = orderId). */
export interface OrderMessage {
  eventId: string;
  eventType: OrderEventType;
  orderId: string;
  warehouseId: string;
  /** ISO-8601 with zone, or epoch milliseconds. */
  timestamp: string | number;
  /** ORDER_CREATED: the lines, one per SKU. */
  lines?: OrderLine[];
  /** ORDER_CREATED: when the order is promised to leave the warehouse. */
  promisedDispatchAt?: string | number;
  customerId?: string;
  /** LINE_RESERVED, LINE_PICKED. */
  sku?: string;
  quantity?: number;
  /** ORDER_CANCELLED. */
  reason?: string;
}

/** Wire form of a shipment event (JSON on `warehouse-shipments`, key = shipmentId). */
export interface ShipmentMessage {
  eventId: string;
  eventType: ShipmentEventType;
  shipmentId: string;
  orderId: string;
  warehouseId: string;
  carrier: string;
  timestamp: string | number;
  trackingNumber?: string;
  location?: string;
  /** EXCEPTION. */
  exceptionCode?: ShipmentExceptionCode;
  detail?: string;
}

/** Wire form of an audit event (JSON on `warehouse-audit`, key = `entity:entityId`). */
export interface AuditMessage {
  eventId: string;
  eventType: AuditEventType;
  /** Who did it: a user or system account. */
  actor: string;
  timestamp: string | number;
  warehouseId?: string;
  sku?: string;
  /** STOCK_COUNT. */
  countedQuantity?: number;
  expectedQuantity?: number;
  /** MANUAL_ADJUSTMENT: the change booked, and the ledger reference of its ADJUSTMENT row. */
  quantityChange?: number;
  referenceId?: string;
  reasonCode?: string;
  /** MASTER_DATA_EDIT. */
  entity?: Exclude<AuditEntity, 'stock'>;
  entityId?: string;
  field?: string;
  oldValue?: string | number | boolean | null;
  newValue?: string | number | boolean | null;
}

export type FulfilmentMessage = OrderMessage | ShipmentMessage | AuditMessage;

/** A valid order event after normalisation: ids trimmed and upper-cased, one time type. */
export interface OrderEvent {
  stream: 'orders';
  eventId: string;
  eventType: OrderEventType;
  orderId: string;
  warehouseId: string;
  occurredAt: Date;
  /** ORDER_CREATED: sorted by SKU. */
  lines: OrderLine[] | null;
  promisedDispatchAt: Date | null;
  customerId: string | null;
  sku: string | null;
  quantity: number | null;
  reason: string | null;
}

export interface ShipmentEvent {
  stream: 'shipments';
  eventId: string;
  eventType: ShipmentEventType;
  shipmentId: string;
  orderId: string;
  warehouseId: string;
  carrier: string;
  occurredAt: Date;
  trackingNumber: string | null;
  location: string | null;
  exceptionCode: ShipmentExceptionCode | null;
  detail: string | null;
}

export interface AuditEvent {
  stream: 'audit';
  eventId: string;
  eventType: AuditEventType;
  actor: string;
  occurredAt: Date;
  warehouseId: string | null;
  sku: string | null;
  entity: AuditEntity;
  entityId: string;
  field: string | null;
  /** Master-data values as text (JSON scalars turned into their text). */
  oldValue: string | null;
  newValue: string | null;
  quantityChange: number | null;
  countedQuantity: number | null;
  expectedQuantity: number | null;
  referenceId: string | null;
  reasonCode: string | null;
}

export type FulfilmentEvent = OrderEvent | ShipmentEvent | AuditEvent;
/** The normalised event type of one stream. */
export type EventOf<S extends FulfilmentStream> = Extract<FulfilmentEvent, { stream: S }>;

/**
 * The natural key of an event: what it says happened, whatever its eventId. A producer that
 * resends a fact under a new eventId is a duplicate by this key (and a conflicting duplicate when
 * it says something else). Orders: one event of each type per order and line; shipments: one
 * event of a type per instant; audit: one change per entity, field, actor and instant.
 */
export function naturalKey(e: FulfilmentEvent): string {
  switch (e.stream) {
    case 'orders':
      return `${e.orderId}|${e.eventType}|${e.sku ?? ''}`;
    case 'shipments':
      return `${e.shipmentId}|${e.eventType}|${e.occurredAt.getTime()}`;
    case 'audit':
      return `${e.eventType}|${e.entity}|${e.entityId}|${e.field ?? ''}|${e.actor}|${e.occurredAt.getTime()}`;
  }
}

/** The Kafka message key of an event: orderId, shipmentId, or `entity:entityId` for audit. */
export function messageKey(e: FulfilmentEvent): string {
  switch (e.stream) {
    case 'orders':
      return e.orderId;
    case 'shipments':
      return e.shipmentId;
    case 'audit':
      return `${e.entity}:${e.entityId}`;
  }
}

/**
 * What an event says, without its eventId: plain JSON values (times as ISO text), compared when
 * the same eventId or natural key arrives again, and stored as the row's `payload`.
 */
export function eventPayload(e: FulfilmentEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'eventId' || k === 'stream') continue;
    out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}
