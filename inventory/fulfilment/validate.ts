/**
 * Validation of the order, shipment and audit streams (CONTRACT.md): zod checks each event type's
 * shape, and the rules zod does not name precisely (quantities, times) follow with their own
 * reasons. Never throws: every failure is one `FulfilmentRejectReason` and a sentence.
 */
import { z } from 'zod';
import {
  AUDIT_EVENT_TYPES,
  MAX_FULFILMENT_QUANTITY,
  MAX_ORDER_LINES,
  ORDER_EVENT_TYPES,
  SHIPMENT_EVENT_TYPES,
  SHIPMENT_EXCEPTION_CODES,
  type AuditEvent,
  type FulfilmentEvent,
  type FulfilmentRejectReason,
  type FulfilmentStream,
  type OrderEvent,
  type ShipmentEvent,
} from './contract.js';

export type FulfilmentValidation =
  { ok: true; event: FulfilmentEvent } | { ok: false; reason: FulfilmentRejectReason; detail: string };

export interface FulfilmentLimits {
  /** Current time, epoch ms (injected so specs are deterministic). */
  now: number;
  /** Events older than this many days are rejected (`MAX_EVENT_AGE_DAYS`). */
  maxEventAgeDays: number;
  /** Largest accepted message in bytes. @defaultValue 65536 */
  maxMessageBytes?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const FUTURE_TOLERANCE_MS = 3_600_000;
const DAY_MS = 86_400_000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** An id: trimmed, upper-cased, 1–64 characters. */
const id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((s) => s.toUpperCase());
/** Free text: trimmed, at most 200 characters. */
const text = z.string().trim().max(200);
const when = z.union([z.string(), z.number()]);
const quantity = z.number();

const base = { eventId: z.string(), eventType: z.string(), timestamp: when };
const orderBase = { ...base, orderId: id, warehouseId: id };
const ORDER_SCHEMAS = {
  ORDER_CREATED: z.object({
    ...orderBase,
    lines: z
      .array(z.object({ sku: id, quantity }))
      .min(1)
      .max(MAX_ORDER_LINES),
    promisedDispatchAt: when,
    customerId: id.optional(),
  }),
  LINE_RESERVED: z.object({ ...orderBase, sku: id, quantity }),
  LINE_PICKED: z.object({ ...orderBase, sku: id, quantity }),
  ORDER_PACKED: z.object(orderBase),
  ORDER_CANCELLED: z.object({ ...orderBase, reason: text.optional() }),
} as const;

const shipmentBase = {
  ...base,
  shipmentId: id,
  orderId: id,
  warehouseId: id,
  carrier: id,
  trackingNumber: text.optional(),
  location: text.optional(),
};
const SHIPMENT_SCHEMAS = {
  DISPATCHED: z.object(shipmentBase),
  IN_TRANSIT: z.object(shipmentBase),
  DELIVERED: z.object(shipmentBase),
  EXCEPTION: z.object({
    ...shipmentBase,
    exceptionCode: z.enum(SHIPMENT_EXCEPTION_CODES),
    detail: text.optional(),
  }),
} as const;

const scalar = z.union([z.string().max(200), z.number(), z.boolean(), z.null()]);
const auditBase = { ...base, actor: z.string().trim().min(1).max(64) };
const AUDIT_SCHEMAS = {
  STOCK_COUNT: z.object({
    ...auditBase,
    sku: id,
    warehouseId: id,
    countedQuantity: quantity,
    expectedQuantity: quantity.optional(),
  }),
  MANUAL_ADJUSTMENT: z.object({
    ...auditBase,
    sku: id,
    warehouseId: id,
    quantityChange: quantity,
    referenceId: text.optional(),
    reasonCode: id.optional(),
  }),
  MASTER_DATA_EDIT: z.object({
    ...auditBase,
    entity: z.enum(['product', 'warehouse', 'stock_policy']),
    entityId: id,
    field: z.string().trim().min(1).max(64),
    oldValue: scalar.optional(),
    newValue: scalar.optional(),
    sku: id.optional(),
    warehouseId: id.optional(),
  }),
} as const;

const TYPES: Record<FulfilmentStream, readonly string[]> = {
  orders: ORDER_EVENT_TYPES,
  shipments: SHIPMENT_EVENT_TYPES,
  audit: AUDIT_EVENT_TYPES,
};
const SCHEMAS: Record<FulfilmentStream, Record<string, z.ZodType>> = {
  orders: ORDER_SCHEMAS,
  shipments: SHIPMENT_SCHEMAS,
  audit: AUDIT_SCHEMAS,
};

class Rejected extends Error {
  constructor(
    readonly reason: FulfilmentRejectReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}
function reject(reason: FulfilmentRejectReason, detail: string): never {
  throw new Rejected(reason, detail);
}

/** The first zod issue as a reason: absent → missing_field, a bad eventId → invalid_event_id, else invalid_field. */
function fromIssue(body: Record<string, unknown>, issue: z.core.$ZodIssue): never {
  const path = issue.path.map(String);
  let value: unknown = body;
  for (const p of path) value = (value as Record<string, unknown> | undefined)?.[p];
  const name = path.join('.') || 'message';
  if (value === undefined || value === null) reject('missing_field', `${name} is missing`);
  if (issue.code === 'too_small' && typeof value === 'string') reject('missing_field', `${name} is empty`);
  reject('invalid_field', `${name}: ${issue.message}`);
}

function instant(value: string | number, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      reject('invalid_timestamp', `${field} must be whole epoch milliseconds ≥ 0`);
    return value;
  }
  const t = value.trim();
  const ms = ISO_WITH_ZONE.test(t) ? Date.parse(t) : NaN;
  if (!Number.isFinite(ms))
    reject('invalid_timestamp', `${field} must be ISO-8601 with a zone, or epoch milliseconds`);
  return ms;
}

/** A positive whole quantity (lines, counts allow 0 when `zero` says so). */
function count(value: number, field: string, sign: 'positive' | 'non-negative' | 'non-zero'): number {
  if (!Number.isInteger(value)) reject('invalid_quantity', `${field} must be a whole number`);
  if (value === 0 && sign !== 'non-negative') reject('zero_quantity', `${field} must not be zero`);
  if (value < 0 && sign !== 'non-zero') reject('wrong_sign', `${field} must not be negative`);
  if (Math.abs(value) > MAX_FULFILMENT_QUANTITY)
    reject('quantity_out_of_range', `|${field}| must be at most ${MAX_FULFILMENT_QUANTITY}`);
  return value;
}

/** What a schema's parse returns: every schema has a timestamp. */
type Parsed = Record<string, unknown> & { timestamp: string | number };

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const asText = (v: string | number | boolean | null | undefined): string | null =>
  v === undefined || v === null ? null : String(v);

/**
 * Checks one raw message of `stream` against its contract and normalises it. Master data (known
 * SKUs and warehouses) is the caller's: see `referencedIds`.
 */
export function validateFulfilmentMessage(
  stream: FulfilmentStream,
  value: Buffer | null,
  limits: FulfilmentLimits,
): FulfilmentValidation {
  try {
    return { ok: true, event: parse(stream, value, limits) };
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, reason: err.reason, detail: err.detail };
    throw err;
  }
}

function parse(stream: FulfilmentStream, value: Buffer | null, limits: FulfilmentLimits): FulfilmentEvent {
  if (value === null || value.length === 0) reject('empty_message', 'message has no value');
  const maxBytes = limits.maxMessageBytes ?? 65_536;
  if (value!.length > maxBytes)
    reject('message_too_large', `message is ${value!.length} bytes (max ${maxBytes})`);
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(value!));
  } catch (err) {
    reject('invalid_json', (err as Error).message.slice(0, 200));
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    reject('not_an_object', 'message must be a JSON object');
  const b = body as Record<string, unknown>;

  if (b.eventId === undefined || b.eventId === null) reject('missing_field', 'eventId is missing');
  if (typeof b.eventId !== 'string') reject('invalid_field', 'eventId must be a string');
  const eventId = (b.eventId as string).trim().toLowerCase();
  if (!UUID.test(eventId)) reject('invalid_event_id', 'eventId must be a UUID');
  if (b.eventType === undefined || b.eventType === null) reject('missing_field', 'eventType is missing');
  if (typeof b.eventType !== 'string') reject('invalid_field', 'eventType must be a string');
  const eventType = (b.eventType as string).trim().toUpperCase();
  if (!TYPES[stream].includes(eventType))
    reject(
      'unknown_event_type',
      `eventType ${JSON.stringify(b.eventType)} is unknown on the ${stream} stream`,
    );

  const parsed = SCHEMAS[stream][eventType]!.safeParse(b);
  if (!parsed.success) fromIssue(b, parsed.error.issues[0]!);
  const d = parsed.data as Parsed;
  const ms = instant(d.timestamp, 'timestamp');
  if (ms > limits.now + FUTURE_TOLERANCE_MS) reject('future_timestamp', 'timestamp is more than 1 h ahead');
  if (ms < limits.now - limits.maxEventAgeDays * DAY_MS)
    reject('stale_timestamp', `timestamp is older than ${limits.maxEventAgeDays} days`);
  const occurredAt = new Date(ms);

  if (stream === 'orders') return orderEvent(eventId, eventType as OrderEvent['eventType'], d, occurredAt);
  if (stream === 'shipments') {
    const s = d as unknown as z.infer<(typeof SHIPMENT_SCHEMAS)['EXCEPTION']>;
    return {
      stream,
      eventId,
      eventType: eventType as ShipmentEvent['eventType'],
      shipmentId: s.shipmentId,
      orderId: s.orderId,
      warehouseId: s.warehouseId,
      carrier: s.carrier,
      occurredAt,
      trackingNumber: orNull(s.trackingNumber),
      location: orNull(s.location),
      exceptionCode: orNull(s.exceptionCode),
      detail: orNull(s.detail),
    } satisfies ShipmentEvent;
  }
  return auditEvent(eventId, eventType as AuditEvent['eventType'], d, occurredAt);
}

function orderEvent(
  eventId: string,
  eventType: OrderEvent['eventType'],
  d: Parsed,
  occurredAt: Date,
): OrderEvent {
  const o = d as unknown as z.infer<(typeof ORDER_SCHEMAS)['ORDER_CREATED']> &
    z.infer<(typeof ORDER_SCHEMAS)['LINE_PICKED']> &
    z.infer<(typeof ORDER_SCHEMAS)['ORDER_CANCELLED']>;
  let lines: OrderEvent['lines'] = null;
  let promisedDispatchAt: Date | null = null;
  if (eventType === 'ORDER_CREATED') {
    const seen = new Set<string>();
    lines = o.lines
      .map((l, i) => {
        if (seen.has(l.sku)) reject('invalid_field', `lines.${i}: SKU ${l.sku} appears on two lines`);
        seen.add(l.sku);
        return { sku: l.sku, quantity: count(l.quantity, `lines.${i}.quantity`, 'positive') };
      })
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    const promised = instant(o.promisedDispatchAt, 'promisedDispatchAt');
    if (promised < occurredAt.getTime())
      reject('invalid_timestamp', 'promisedDispatchAt is before the order was created');
    promisedDispatchAt = new Date(promised);
  }
  const line = eventType === 'LINE_RESERVED' || eventType === 'LINE_PICKED';
  return {
    stream: 'orders',
    eventId,
    eventType,
    orderId: o.orderId,
    warehouseId: o.warehouseId,
    occurredAt,
    lines,
    promisedDispatchAt,
    customerId: orNull(o.customerId),
    sku: line ? o.sku : null,
    quantity: line ? count(o.quantity, 'quantity', 'positive') : null,
    reason: orNull(o.reason),
  };
}

function auditEvent(
  eventId: string,
  eventType: AuditEvent['eventType'],
  d: Parsed,
  occurredAt: Date,
): AuditEvent {
  const a = d as unknown as Partial<
    z.infer<(typeof AUDIT_SCHEMAS)['STOCK_COUNT']> &
      z.infer<(typeof AUDIT_SCHEMAS)['MANUAL_ADJUSTMENT']> &
      z.infer<(typeof AUDIT_SCHEMAS)['MASTER_DATA_EDIT']>
  > & { actor: string };
  const stock = eventType !== 'MASTER_DATA_EDIT';
  return {
    stream: 'audit',
    eventId,
    eventType,
    actor: a.actor,
    occurredAt,
    warehouseId: orNull(a.warehouseId),
    sku: orNull(a.sku),
    entity: stock ? 'stock' : a.entity!,
    entityId: stock ? `${a.sku}:${a.warehouseId}` : a.entityId!,
    field: stock ? null : a.field!,
    oldValue: asText(a.oldValue),
    newValue: asText(a.newValue),
    quantityChange:
      eventType === 'MANUAL_ADJUSTMENT' ? count(a.quantityChange!, 'quantityChange', 'non-zero') : null,
    countedQuantity:
      eventType === 'STOCK_COUNT' ? count(a.countedQuantity!, 'countedQuantity', 'non-negative') : null,
    expectedQuantity:
      a.expectedQuantity === undefined ? null : count(a.expectedQuantity, 'expectedQuantity', 'non-negative'),
    referenceId: orNull(a.referenceId),
    reasonCode: orNull(a.reasonCode),
  };
}

/** The SKUs and warehouses an event names, which must exist in master data. */
export function referencedIds(e: FulfilmentEvent): { skus: string[]; warehouses: string[] } {
  switch (e.stream) {
    case 'orders':
      return {
        skus: e.lines ? e.lines.map((l) => l.sku) : e.sku ? [e.sku] : [],
        warehouses: [e.warehouseId],
      };
    case 'shipments':
      return { skus: [], warehouses: [e.warehouseId] };
    case 'audit':
      return {
        skus: e.sku ? [e.sku] : e.entity === 'product' ? [e.entityId] : [],
        warehouses: e.warehouseId ? [e.warehouseId] : e.entity === 'warehouse' ? [e.entityId] : [],
      };
  }
}
