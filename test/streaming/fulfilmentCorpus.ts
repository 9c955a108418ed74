import { randomBytes, randomUUID } from 'node:crypto';
import type { FulfilmentRejectReason, FulfilmentStream } from '../../inventory/fulfilment/index.js';
import type { TestMaster } from './support.js';

/**
 * A fixed bad-input corpus for the order, shipment and audit topics, as an operator would send it
 * with kcat: raw bytes, each with the reason it must be dead-lettered as, next to valid events on
 * the same keys (so on the same partitions), exact redeliveries and resends under a new eventId.
 * Every reason of CONTRACT.md §2 is in it, on every stream it can occur on.
 */

export interface CorpusMessage {
  stream: FulfilmentStream;
  key: string;
  value: Buffer | null;
}
export interface BadMessage extends CorpusMessage {
  reason: FulfilmentRejectReason;
}
export interface FulfilmentCorpus {
  /** Valid events, each to be stored once (by its lower-case eventId). */
  good: Array<CorpusMessage & { eventId: string }>;
  /** Valid events again (the same bytes, or the same fact under a new eventId): duplicates. */
  repeats: CorpusMessage[];
  bad: BadMessage[];
  /**
   * Repeats of a good event's eventId or natural key with other content: sent after the good
   * events (on their keys, so after them on their partitions).
   */
  conflicting: BadMessage[];
}

const DAY = 86_400_000;
const json = (o: unknown) => Buffer.from(JSON.stringify(o));
type Body = Record<string, unknown>;
const without = (o: Body, field: string) => {
  const c = { ...o };
  delete c[field];
  return c;
};

export function fulfilmentCorpus(m: TestMaster, now = Date.now()): FulfilmentCorpus {
  const [sku, sku2] = [m.skus[0]!, m.skus[1]!];
  const wh = m.warehouses[0]!;
  const nope = `${m.prefix}-NOPE`;
  const nowhere = `${m.prefix}-NOWHERE`;
  const ago = (min: number) => new Date(now - min * 60_000).toISOString();
  const id = randomBytes(4).toString('hex').toUpperCase();

  // --- orders: one order's life, and everything wrong with it, on its key
  const orderId = `ORDER-${id}`;
  const order = (eventType: string, min: number, extra: Body = {}): Body => ({
    eventId: randomUUID(),
    eventType,
    orderId,
    warehouseId: wh,
    timestamp: ago(min),
    ...extra,
  });
  const created = order('ORDER_CREATED', 60, {
    lines: [
      { sku, quantity: 2 },
      { sku: sku2, quantity: 1 },
    ],
    promisedDispatchAt: new Date(now + DAY).toISOString(),
    customerId: 'CUST-1',
  });
  const reserved = order('LINE_RESERVED', 59, { sku, quantity: 2 });
  const picked = order('LINE_PICKED', 30, { sku: sku.toLowerCase(), quantity: 2 });
  const packed = order('ORDER_PACKED', 20);
  const line = (extra: Body) => ({ ...reserved, eventId: randomUUID(), ...extra });
  const orders: Array<[FulfilmentRejectReason, Buffer | string | null]> = [
    ['empty_message', null],
    ['empty_message', Buffer.alloc(0)],
    ['message_too_large', json({ ...created, eventId: randomUUID(), xNote: 'x'.repeat(70_000) })],
    ['invalid_json', JSON.stringify(created).slice(0, 40)],
    ['invalid_json', Buffer.from([0xff, 0xfe, 0x00, 0x80, ...randomBytes(32)])],
    ['not_an_object', '[1,2]'],
    ['not_an_object', `"${orderId}"`],
    ['missing_field', json(without(line({}), 'orderId'))],
    ['missing_field', json(without({ ...created, eventId: randomUUID() }, 'lines'))],
    ['missing_field', json(without(line({ eventType: 'LINE_PICKED' }), 'sku'))],
    ['missing_field', json(line({ warehouseId: '  ' }))],
    ['invalid_field', json(line({ orderId: 42 }))],
    ['invalid_field', json({ ...created, eventId: randomUUID(), lines: [] })],
    ['invalid_field', json(line({ quantity: '2' }))],
    [
      'invalid_field',
      json({
        ...created,
        eventId: randomUUID(),
        lines: [
          { sku, quantity: 1 },
          { sku: ` ${sku.toLowerCase()}`, quantity: 2 },
        ],
      }),
    ],
    ['invalid_field', json(line({ timestamp: true }))],
    ['invalid_event_id', json(line({ eventId: 'not-a-uuid' }))],
    ['unknown_event_type', json(line({ eventType: 'DISPATCHED' }))],
    ['unknown_event_type', json(line({ eventType: 'ORDER_SHIPPED' }))],
    ['invalid_quantity', json(line({ quantity: 1.5 }))],
    ['zero_quantity', json(line({ quantity: 0 }))],
    ['wrong_sign', json(line({ quantity: -2 }))],
    ['quantity_out_of_range', json(line({ quantity: 1_000_001 }))],
    ['invalid_timestamp', json(line({ timestamp: 'yesterday' }))],
    ['invalid_timestamp', json({ ...created, eventId: randomUUID(), promisedDispatchAt: ago(120) })],
    ['future_timestamp', json(line({ timestamp: new Date(now + 2 * 3_600_000).toISOString() }))],
    ['stale_timestamp', json(line({ timestamp: now - 401 * DAY }))],
    ['unknown_sku', json(line({ eventType: 'LINE_PICKED', sku: nope }))],
    ['unknown_warehouse', json(order('ORDER_PACKED', 5, { warehouseId: nowhere }))],
  ];

  // --- shipments: the order's parcel
  const shipmentId = `SHP-${id}`;
  const shipment = (eventType: string, min: number, extra: Body = {}): Body => ({
    eventId: randomUUID(),
    eventType,
    shipmentId,
    orderId,
    warehouseId: wh,
    carrier: 'DHL',
    timestamp: ago(min),
    ...extra,
  });
  const dispatched = shipment('DISPATCHED', 15, { trackingNumber: 'DHL-123' });
  const inTransit = shipment('IN_TRANSIT', 10, { location: 'Leipzig hub' });
  const delayed = shipment('EXCEPTION', 8, { exceptionCode: 'DELAYED', detail: 'storm' });
  const delivered = shipment('delivered', 2);
  const scan = (extra: Body) => shipment('IN_TRANSIT', 9, extra);
  const shipments: Array<[FulfilmentRejectReason, Buffer | string | null]> = [
    ['empty_message', null],
    ['message_too_large', json(scan({ location: 'x'.repeat(70_000) }))],
    ['invalid_json', '{"eventId": "1", "eventType": "DISPATCHED",'],
    ['not_an_object', 'null'],
    ['missing_field', json(without(scan({}), 'carrier'))],
    ['missing_field', json(scan({ shipmentId: null }))],
    ['invalid_field', json(shipment('EXCEPTION', 7, { exceptionCode: 'ALIENS' }))],
    ['invalid_field', json(scan({ carrier: 7 }))],
    ['invalid_field', json(scan({ trackingNumber: 'T'.repeat(201) }))],
    ['invalid_event_id', json(scan({ eventId: randomUUID().replace(/-/g, '') }))],
    ['unknown_event_type', json(scan({ eventType: 'ORDER_PACKED' }))],
    ['unknown_event_type', json(scan({ eventType: 'LOST' }))],
    ['invalid_timestamp', json(scan({ timestamp: '2026-01-01T10:00:00' }))],
    ['invalid_timestamp', json(scan({ timestamp: -5 }))],
    ['future_timestamp', json(scan({ timestamp: now + 3 * 3_600_000 }))],
    ['stale_timestamp', json(scan({ timestamp: new Date(now - 500 * DAY).toISOString() }))],
    ['unknown_warehouse', json(scan({ warehouseId: nowhere }))],
  ];

  // --- audit: a clerk's adjustment and count of the pair, a planner's product edit
  const adjustment: Body = {
    eventId: randomUUID(),
    eventType: 'MANUAL_ADJUSTMENT',
    actor: `clerk-${id}@test`,
    sku,
    warehouseId: wh,
    quantityChange: -2,
    referenceId: 'COUNT-1',
    timestamp: ago(12),
  };
  const count: Body = {
    eventId: randomUUID(),
    eventType: 'STOCK_COUNT',
    actor: `clerk-${id}@test`,
    sku,
    warehouseId: wh,
    countedQuantity: 0,
    expectedQuantity: 3,
    timestamp: now - 11 * 60_000,
  };
  const edit: Body = {
    eventId: randomUUID(),
    eventType: 'MASTER_DATA_EDIT',
    actor: `planner-${id}`,
    entity: 'product',
    entityId: sku2.toLowerCase(),
    field: 'unit_price',
    oldValue: 12.5,
    newValue: '13.00',
    timestamp: ago(10),
  };
  const adjust = (extra: Body) => ({ ...adjustment, eventId: randomUUID(), ...extra });
  const audit: Array<[FulfilmentRejectReason, Buffer | string | null]> = [
    ['empty_message', Buffer.alloc(0)],
    ['message_too_large', json(adjust({ referenceId: 'r'.repeat(70_000) }))],
    ['invalid_json', `{"eventId":"${randomUUID()}","eventType":'MANUAL_ADJUSTMENT'}`],
    ['not_an_object', '3.14'],
    ['missing_field', json(without(adjust({}), 'actor'))],
    ['missing_field', json(without({ ...count, eventId: randomUUID() }, 'countedQuantity'))],
    ['invalid_field', json({ ...edit, eventId: randomUUID(), entity: 'stock' })],
    ['invalid_field', json(adjust({ actor: 'a'.repeat(65) }))],
    ['invalid_field', json({ ...count, eventId: randomUUID(), countedQuantity: '5' })],
    ['invalid_field', json({ ...edit, eventId: randomUUID(), newValue: { price: 13 } })],
    ['invalid_event_id', json(adjust({ eventId: `${randomUUID()}0` }))],
    ['unknown_event_type', json(adjust({ eventType: 'ORDER_CREATED' }))],
    ['invalid_quantity', json(adjust({ quantityChange: 0.5 }))],
    ['zero_quantity', json(adjust({ quantityChange: 0 }))],
    ['wrong_sign', json({ ...count, eventId: randomUUID(), countedQuantity: -1 })],
    ['quantity_out_of_range', json(adjust({ quantityChange: -1_000_001 }))],
    ['invalid_timestamp', json(adjust({ timestamp: '2026-13-45T00:00:00Z' }))],
    ['future_timestamp', json(adjust({ timestamp: new Date(now + 5 * 3_600_000).toISOString() }))],
    ['stale_timestamp', json(adjust({ timestamp: now - 1_000 * DAY }))],
    ['unknown_sku', json(adjust({ sku: nope }))],
    ['unknown_sku', json({ ...edit, eventId: randomUUID(), entityId: nope })],
    ['unknown_warehouse', json(adjust({ warehouseId: nowhere }))],
  ];

  const keys: Record<FulfilmentStream, string> = {
    orders: orderId,
    shipments: shipmentId,
    audit: `stock:${sku}:${wh}`,
  };
  const keyOf = (stream: FulfilmentStream, body: Body) =>
    stream === 'audit' && body.entity === 'product' ? `product:${sku2}` : keys[stream];
  const good = (stream: FulfilmentStream, body: Body) => ({
    stream,
    key: keyOf(stream, body),
    value: json(body),
    eventId: String(body.eventId).toLowerCase(),
  });
  const bad = (stream: FulfilmentStream, list: Array<[FulfilmentRejectReason, Buffer | string | null]>) =>
    list.map(([reason, v]) => ({
      stream,
      key: keys[stream],
      reason,
      value: v === null ? null : Buffer.from(v),
    }));
  const conflict = (stream: FulfilmentStream, body: Body): BadMessage => ({
    stream,
    key: keyOf(stream, body),
    reason: 'conflicting_duplicate',
    value: json(body),
  });
  return {
    good: [
      ...[created, reserved, picked, packed].map((b) => good('orders', b)),
      ...[dispatched, inTransit, delayed, delivered].map((b) => good('shipments', b)),
      ...[adjustment, count, edit].map((b) => good('audit', b)),
    ],
    repeats: [
      { stream: 'orders', key: orderId, value: json(reserved) },
      // The same fact under a producer's new eventId.
      { stream: 'orders', key: orderId, value: json({ ...packed, eventId: randomUUID() }) },
      { stream: 'shipments', key: shipmentId, value: json(dispatched) },
      { stream: 'audit', key: keys.audit, value: json({ ...count, eventId: randomUUID() }) },
    ],
    bad: [...bad('orders', orders), ...bad('shipments', shipments), ...bad('audit', audit)],
    conflicting: [
      conflict('orders', { ...created, lines: [{ sku, quantity: 9 }] }),
      conflict('orders', { ...reserved, eventId: randomUUID(), quantity: 7 }),
      conflict('shipments', { ...dispatched, carrier: 'UPS' }),
      conflict('audit', { ...adjustment, quantityChange: -3 }),
      conflict('audit', { ...count, eventId: randomUUID(), countedQuantity: 1 }),
      conflict('audit', { ...edit, newValue: '14.00' }),
    ],
  };
}
