import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  FULFILMENT_REJECT_REASONS,
  eventPayload,
  messageKey,
  naturalKey,
  referencedIds,
  toWire,
  validateFulfilmentMessage,
  type FulfilmentStream,
} from '../../../inventory/fulfilment/index.js';
import { DLQ_REASONS } from '../../../streaming/index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const limits = { now: NOW, maxEventAgeDays: 400 };
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
const raw = (body: unknown) => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
const validate = (stream: FulfilmentStream, body: unknown) =>
  validateFulfilmentMessage(stream, raw(body), limits);
const reasonOf = (stream: FulfilmentStream, body: unknown) => {
  const v = validate(stream, body);
  return v.ok ? 'ok' : v.reason;
};

const created = (over: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  eventType: 'ORDER_CREATED',
  orderId: 'ORDER-1001',
  warehouseId: 'WAREHOUSE-001',
  timestamp: at(-60),
  promisedDispatchAt: at(3 * 24 * 60),
  lines: [
    { sku: 'LAPTOP-001', quantity: 2 },
    { sku: 'CABLE-002', quantity: 5 },
  ],
  ...over,
});
const shipment = (over: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  eventType: 'DISPATCHED',
  shipmentId: 'SHP-1001',
  orderId: 'ORDER-1001',
  warehouseId: 'WAREHOUSE-001',
  carrier: 'DHL',
  timestamp: at(-30),
  ...over,
});
const adjustment = (over: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  eventType: 'MANUAL_ADJUSTMENT',
  actor: 'clerk-2@warehouse-001',
  sku: 'LAPTOP-001',
  warehouseId: 'WAREHOUSE-001',
  quantityChange: -3,
  referenceId: 'COUNT-123456',
  timestamp: at(-5),
  ...over,
});

describe('order, shipment and audit contracts', function () {
  it('uses only reasons the DLQ tools already know', function () {
    expect(DLQ_REASONS).to.include.members([...FULFILMENT_REJECT_REASONS]);
  });

  it('accepts an order and normalises it: ids trimmed and upper-cased, lines sorted by SKU, one time type', function () {
    const v = validate('orders', created({ orderId: ' order-1001 ', timestamp: NOW - 3_600_000 }));
    expect(v.ok).to.equal(true);
    if (!v.ok) return;
    expect(v.event).to.deep.include({
      stream: 'orders',
      eventType: 'ORDER_CREATED',
      orderId: 'ORDER-1001',
      warehouseId: 'WAREHOUSE-001',
      lines: [
        { sku: 'CABLE-002', quantity: 5 },
        { sku: 'LAPTOP-001', quantity: 2 },
      ],
    });
    expect(v.event.occurredAt.toISOString()).to.equal(at(-60));
    expect(messageKey(v.event)).to.equal('ORDER-1001');
    expect(naturalKey(v.event)).to.equal('ORDER-1001|ORDER_CREATED|');
    expect(referencedIds(v.event)).to.deep.equal({
      skus: ['CABLE-002', 'LAPTOP-001'],
      warehouses: ['WAREHOUSE-001'],
    });
  });

  it('accepts every event type of each stream, and its wire form says the same again', function () {
    const good: Array<[FulfilmentStream, Record<string, unknown>]> = [
      ['orders', created()],
      [
        'orders',
        { ...created(), eventType: 'LINE_RESERVED', sku: 'LAPTOP-001', quantity: 2, lines: undefined },
      ],
      ['orders', { ...created(), eventType: 'LINE_PICKED', sku: 'LAPTOP-001', quantity: 1 }],
      ['orders', { ...created(), eventType: 'ORDER_PACKED' }],
      ['orders', { ...created(), eventType: 'order_cancelled', reason: 'customer' }],
      ['shipments', shipment({ trackingNumber: 'DHL123' })],
      ['shipments', shipment({ eventType: 'IN_TRANSIT', location: 'Leipzig hub' })],
      ['shipments', shipment({ eventType: 'EXCEPTION', exceptionCode: 'DAMAGED', detail: 'crushed box' })],
      ['shipments', shipment({ eventType: 'DELIVERED' })],
      ['audit', adjustment()],
      ['audit', adjustment({ eventType: 'STOCK_COUNT', countedQuantity: 0, expectedQuantity: 4 })],
      [
        'audit',
        {
          eventId: randomUUID(),
          eventType: 'MASTER_DATA_EDIT',
          actor: 'planner-1@hq',
          entity: 'product',
          entityId: 'laptop-001',
          field: 'unit_price',
          oldValue: 999.5,
          newValue: '1049.00',
          timestamp: NOW,
        },
      ],
    ];
    for (const [stream, body] of good) {
      const v = validate(stream, body);
      expect(v, JSON.stringify(body)).to.have.property('ok', true);
      if (!v.ok) continue;
      const again = validate(stream, toWire(v.event));
      expect(again.ok && eventPayload(again.event)).to.deep.equal(eventPayload(v.event));
      expect(again.ok && again.event.eventId).to.equal(v.event.eventId);
    }
  });

  it('names the reason of every malformed message', function () {
    const cases: Array<[FulfilmentStream, unknown, string]> = [
      ['orders', '', 'empty_message'],
      ['orders', '{"eventId":', 'invalid_json'],
      ['orders', [1, 2], 'not_an_object'],
      ['orders', created({ eventId: undefined }), 'missing_field'],
      ['orders', created({ eventId: 'not-a-uuid' }), 'invalid_event_id'],
      ['orders', created({ eventType: 'ORDER_SHIPPED' }), 'unknown_event_type'],
      ['orders', created({ eventType: 'DISPATCHED' }), 'unknown_event_type'],
      ['orders', created({ orderId: undefined }), 'missing_field'],
      ['orders', created({ orderId: '   ' }), 'missing_field'],
      ['orders', created({ orderId: 42 }), 'invalid_field'],
      ['orders', created({ lines: [] }), 'invalid_field'],
      ['orders', created({ lines: undefined }), 'missing_field'],
      [
        'orders',
        created({
          lines: [
            { sku: 'A-1', quantity: 1 },
            { sku: 'a-1', quantity: 2 },
          ],
        }),
        'invalid_field',
      ],
      ['orders', created({ lines: [{ sku: 'A-1', quantity: 0 }] }), 'zero_quantity'],
      ['orders', created({ lines: [{ sku: 'A-1', quantity: -2 }] }), 'wrong_sign'],
      ['orders', created({ lines: [{ sku: 'A-1', quantity: 1.5 }] }), 'invalid_quantity'],
      ['orders', created({ lines: [{ sku: 'A-1', quantity: 2_000_000 }] }), 'quantity_out_of_range'],
      ['orders', created({ lines: [{ sku: 'A-1', quantity: '2' }] }), 'invalid_field'],
      ['orders', created({ promisedDispatchAt: at(-120) }), 'invalid_timestamp'],
      ['orders', created({ timestamp: '2026-03-01 10:00' }), 'invalid_timestamp'],
      ['orders', created({ timestamp: at(61) }), 'future_timestamp'],
      ['orders', created({ timestamp: NOW - 401 * 86_400_000 }), 'stale_timestamp'],
      ['orders', { ...created(), eventType: 'LINE_RESERVED', quantity: 1 }, 'missing_field'],
      ['shipments', shipment({ carrier: undefined }), 'missing_field'],
      ['shipments', shipment({ eventType: 'EXCEPTION' }), 'missing_field'],
      ['shipments', shipment({ eventType: 'EXCEPTION', exceptionCode: 'ALIENS' }), 'invalid_field'],
      ['audit', adjustment({ actor: undefined }), 'missing_field'],
      ['audit', adjustment({ quantityChange: 0 }), 'zero_quantity'],
      ['audit', adjustment({ eventType: 'STOCK_COUNT', countedQuantity: -1 }), 'wrong_sign'],
      ['audit', adjustment({ eventType: 'MASTER_DATA_EDIT', entity: 'customer' }), 'invalid_field'],
    ];
    for (const [stream, body, reason] of cases) {
      expect(reasonOf(stream, body), `${stream}: ${JSON.stringify(body)}`).to.equal(reason);
    }
  });

  it('rejects a message over the size limit before reading it', function () {
    const big = created({ customerId: 'X'.repeat(70_000) });
    expect(reasonOf('orders', big)).to.equal('message_too_large');
  });

  it('gives a resend under a new eventId the same natural key and payload, and another fact another key', function () {
    const first = validate('shipments', shipment());
    const resent = validate('shipments', { ...shipment(), eventId: randomUUID() });
    const later = validate('shipments', shipment({ timestamp: at(-29) }));
    if (!first.ok || !resent.ok || !later.ok) throw new Error('expected valid shipments');
    expect(naturalKey(resent.event)).to.equal(naturalKey(first.event));
    expect(eventPayload(resent.event)).to.deep.equal(eventPayload(first.event));
    expect(naturalKey(later.event)).to.not.equal(naturalKey(first.event));
  });
});
