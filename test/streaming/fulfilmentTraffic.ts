import { randomUUID } from 'node:crypto';
import type { FulfilmentStream } from '../../inventory/fulfilment/index.js';
import type { TestMaster } from './support.js';
import { prng } from './traffic.js';

/** One message of the order, shipment or audit traffic, as published. */
export interface FulfilmentMessage {
  stream: FulfilmentStream;
  key: string;
  value: string;
  /** Lower-case, as stored. */
  eventId: string;
}

export interface FulfilmentTraffic {
  messages: Record<FulfilmentStream, FulfilmentMessage[]>;
  /** What the projections must add up to once every message is applied. */
  expected: {
    orders: number;
    unitsOrdered: number;
    unitsPicked: number;
    cancelled: number;
    delivered: number;
  };
}

/**
 * Ordinary order, shipment and audit traffic for `orders` orders (inventory/fulfilment/CONTRACT.md):
 * an order of one to three lines is created and reserved, then mostly picked, packed, dispatched,
 * scanned and delivered (one in twenty shipments meets an exception), sometimes cancelled; about
 * every third order comes with a clerk's adjustment or count. Event time advances by `spacingMs`
 * per event from `start`, so every natural key is distinct.
 */
export function fulfilmentTraffic(
  master: TestMaster,
  orders: number,
  options: { start: number; spacingMs: number; seed?: number },
): FulfilmentTraffic {
  const rnd = prng(options.seed ?? 11);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const messages: FulfilmentTraffic['messages'] = { orders: [], shipments: [], audit: [] };
  const expected = { orders, unitsOrdered: 0, unitsPicked: 0, cancelled: 0, delivered: 0 };
  let t = options.start;
  const push = (stream: FulfilmentStream, key: string, body: Record<string, unknown>) => {
    const eventId = randomUUID();
    t += options.spacingMs;
    messages[stream].push({
      stream,
      key,
      eventId,
      value: JSON.stringify({ eventId, ...body, timestamp: new Date(t).toISOString() }),
    });
  };
  for (let i = 0; i < orders; i++) {
    const orderId = `ORDER-${master.prefix}-${i}`;
    const warehouseId = master.warehouses[int(0, master.warehouses.length - 1)]!;
    const first = int(0, master.skus.length - 1);
    const lines = Array.from({ length: Math.min(int(1, 3), master.skus.length) }, (_, k) => ({
      sku: master.skus[(first + k) % master.skus.length]!,
      quantity: int(1, 5),
    }));
    const order = (eventType: string, extra: Record<string, unknown> = {}) =>
      push('orders', orderId, { eventType, orderId, warehouseId, ...extra });
    order('ORDER_CREATED', {
      lines,
      promisedDispatchAt: new Date(t + 4 * 86_400_000).toISOString(),
      customerId: `CUST-${int(1, 500)}`,
    });
    expected.unitsOrdered += lines.reduce((n, l) => n + l.quantity, 0);
    for (const l of lines) order('LINE_RESERVED', l);
    if (rnd() < 0.1) {
      order('ORDER_CANCELLED', { reason: 'customer' });
      expected.cancelled++;
    } else {
      for (const l of lines) order('LINE_PICKED', l);
      expected.unitsPicked += lines.reduce((n, l) => n + l.quantity, 0);
      order('ORDER_PACKED');
      const shipmentId = `SHP-${master.prefix}-${i}`;
      const shipment = (eventType: string, extra: Record<string, unknown> = {}) =>
        push('shipments', shipmentId, {
          eventType,
          shipmentId,
          orderId,
          warehouseId,
          carrier: 'DHL',
          ...extra,
        });
      shipment('DISPATCHED', { trackingNumber: `DHL${i}` });
      shipment('IN_TRANSIT', { location: 'hub' });
      if (rnd() < 0.05) shipment('EXCEPTION', { exceptionCode: 'DELAYED' });
      shipment('DELIVERED');
      expected.delivered++;
    }
    if (i % 3 === 0) {
      const sku = lines[0]!.sku;
      const stock = `stock:${sku}:${warehouseId}`;
      if (rnd() < 0.5)
        push('audit', stock, {
          eventType: 'MANUAL_ADJUSTMENT',
          actor: `clerk-${i % 7}@test`,
          sku,
          warehouseId,
          quantityChange: -int(1, 3),
          referenceId: `ADJ-${i}`,
        });
      else
        push('audit', stock, {
          eventType: 'STOCK_COUNT',
          actor: `clerk-${i % 7}@test`,
          sku,
          warehouseId,
          countedQuantity: int(0, 50),
        });
    }
  }
  return { messages, expected };
}
