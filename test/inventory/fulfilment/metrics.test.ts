import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { generateToPostgres } from '../../../inventory/generator/index.js';
import {
  insertFulfilmentEvents,
  readDailyFulfilmentMetrics,
  writeDailyFulfilmentMetrics,
  type FulfilmentMetrics,
  type OrderEvent,
} from '../../../inventory/fulfilment/index.js';
import { expectEveryFigureExercised, fulfilmentMetrics } from './figures.js';

const TO = '2026-04-01T00:00:00.000Z';
const DAYS = 40;
const DAY_MS = 86_400_000;
/** The days checked: the last three weeks of the history (orders of earlier days are picked, shipped, delivered). */
const CHECKED = Array.from({ length: 21 }, (_, i) =>
  new Date(Date.parse(TO) - (21 - i) * DAY_MS).toISOString().slice(0, 10),
);

interface OrderRow {
  order_id: string;
  warehouse_id: string;
  event_type: string;
  sku: string | null;
  quantity: number | null;
  occurred_at: Date;
  payload: { lines: Array<{ sku: string; quantity: number }> | null; promisedDispatchAt: string | null };
}
interface ShipmentRow {
  shipment_id: string;
  order_id: string;
  warehouse_id: string;
  event_type: string;
  occurred_at: Date;
}

/** percentile_cont: linear interpolation between the two nearest of the sorted values. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < v.length ? v[lo]! + (h - lo) * (v[lo + 1]! - v[lo]!) : v[lo]!;
}
const min = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));

/** The metrics of one day, counted again from the raw events, without the projections or the SQL definition. */
function recount(orderRows: OrderRow[], shipmentRows: ShipmentRow[], day: string): FulfilmentMetrics[] {
  const from = Date.parse(`${day}T00:00:00Z`);
  const to = from + DAY_MS;
  const inDay = (t: number | undefined) => t !== undefined && t >= from && t < to;
  const orders = new Map<
    string,
    { warehouse: string; created?: number; promised?: number; cancelled?: number; lines: Map<string, number> }
  >();
  const lines = new Map<
    string,
    { order: string; warehouse: string; reserved?: number; reservedQty?: number; picked?: number }
  >();
  for (const e of orderRows) {
    const t = e.occurred_at.getTime();
    let o = orders.get(e.order_id);
    if (!o) orders.set(e.order_id, (o = { warehouse: e.warehouse_id, lines: new Map() }));
    if (e.event_type === 'ORDER_CREATED') {
      o.created = min(o.created, t);
      o.promised = Date.parse(e.payload.promisedDispatchAt!);
      for (const l of e.payload.lines!) o.lines.set(l.sku, l.quantity);
    }
    if (e.event_type === 'ORDER_CANCELLED') o.cancelled = min(o.cancelled, t);
    if (e.sku) {
      const key = `${e.order_id}|${e.sku}`;
      let l = lines.get(key);
      if (!l) lines.set(key, (l = { order: e.order_id, warehouse: e.warehouse_id }));
      if (e.event_type === 'LINE_RESERVED') [l.reserved, l.reservedQty] = [t, e.quantity!];
      if (e.event_type === 'LINE_PICKED') l.picked = t;
    }
  }
  const shipments = new Map<
    string,
    { order: string; warehouse: string; dispatched?: number; delivered?: number }
  >();
  for (const e of shipmentRows) {
    let s = shipments.get(e.shipment_id);
    if (!s) shipments.set(e.shipment_id, (s = { order: e.order_id, warehouse: e.warehouse_id }));
    if (e.event_type === 'DISPATCHED') s.dispatched = min(s.dispatched, e.occurred_at.getTime());
    if (e.event_type === 'DELIVERED') s.delivered = min(s.delivered, e.occurred_at.getTime());
  }

  const out = new Map<
    string,
    FulfilmentMetrics & { picks: number[]; dispatches: number[]; deliveries: number[] }
  >();
  const of = (warehouse: string) => {
    let m = out.get(warehouse);
    if (!m) {
      m = { ...fulfilmentMetrics(warehouse), picks: [], dispatches: [], deliveries: [] };
      out.set(warehouse, m);
    }
    return m;
  };
  for (const [id, o] of orders) {
    if (inDay(o.created) && o.lines.size > 0) {
      const m = of(o.warehouse);
      m.orders_created++;
      for (const [sku, quantity] of o.lines) {
        const l = lines.get(`${id}|${sku}`);
        m.lines_ordered++;
        m.units_ordered += quantity;
        if (l?.reserved !== undefined && l.reserved < to) m.units_reserved_same_day += l.reservedQty!;
        else if (o.cancelled === undefined || o.cancelled >= to) m.backorders++;
      }
    }
    if (inDay(o.promised) && !(o.cancelled !== undefined && o.cancelled <= o.promised!)) {
      const m = of(o.warehouse);
      m.orders_due++;
      const first = Math.min(
        ...[...shipments.values()].filter((s) => s.order === id).map((s) => s.dispatched ?? Infinity),
      );
      if (first <= o.promised!) m.dispatched_on_time++;
    }
  }
  for (const l of lines.values()) {
    const created = orders.get(l.order)?.created;
    if (inDay(l.picked) && created !== undefined) of(l.warehouse).picks.push((l.picked! - created) / 1000);
  }
  for (const s of shipments.values()) {
    if (inDay(s.dispatched)) {
      const m = of(s.warehouse);
      m.shipments_dispatched++;
      const picks = [...lines.values()]
        .filter((l) => l.order === s.order && l.picked !== undefined)
        .map((l) => l.picked!);
      if (picks.length > 0) m.dispatches.push((s.dispatched! - Math.max(...picks)) / 1000);
    }
    if (inDay(s.delivered)) {
      const m = of(s.warehouse);
      m.shipments_delivered++;
      if (s.dispatched !== undefined) m.deliveries.push((s.delivered! - s.dispatched) / 1000);
    }
  }
  const exceptional = new Map<string, Set<string>>();
  for (const e of shipmentRows) {
    if (e.event_type !== 'EXCEPTION' || !inDay(e.occurred_at.getTime())) continue;
    of(e.warehouse_id).exceptions++;
    if (!exceptional.has(e.warehouse_id)) exceptional.set(e.warehouse_id, new Set());
    exceptional.get(e.warehouse_id)!.add(e.shipment_id);
  }
  return [...out.values()]
    .map(({ picks, dispatches, deliveries, ...m }) => ({
      ...m,
      fill_rate: m.units_ordered > 0 ? m.units_reserved_same_day / m.units_ordered : null,
      lines_picked: picks.length,
      order_to_pick_p50_s: percentile(picks, 0.5),
      order_to_pick_p95_s: percentile(picks, 0.95),
      pick_to_dispatch_p50_s: percentile(dispatches, 0.5),
      pick_to_dispatch_p95_s: percentile(dispatches, 0.95),
      on_time_dispatch_rate: m.orders_due > 0 ? m.dispatched_on_time / m.orders_due : null,
      delivery_p50_s: percentile(deliveries, 0.5),
      delivery_p95_s: percentile(deliveries, 0.95),
      shipments_with_exception: exceptional.get(m.warehouse_id)?.size ?? 0,
    }))
    .sort((a, b) => a.warehouse_id.localeCompare(b.warehouse_id));
}

/** Every metric of `actual` equals `expected`'s: counts exactly, rates and seconds to 1e-6. */
function expectSameMetrics(actual: FulfilmentMetrics, expected: FulfilmentMetrics, where: string): void {
  for (const [key, want] of Object.entries(expected)) {
    const got = (actual as unknown as Record<string, unknown>)[key];
    if (typeof want === 'number' && !Number.isInteger(want))
      expect(got, `${where} ${key}`).to.be.closeTo(want, 1e-6);
    else expect(got, `${where} ${key}`).to.equal(want);
  }
}

describe('fulfilment metrics: the daily table equals a recount over the raw events', function () {
  let db: TestDatabase;
  let warehouses: string[];

  before(async function () {
    db = await createTestDatabase();
    // With labelled incidents: ordinary trade has no shipment exception and no late dispatch.
    await generateToPostgres(db.knex, {
      seed: 33,
      skus: 15,
      warehouses: 3,
      days: DAYS,
      to: TO,
      injectAnomalies: 1,
    });
    warehouses = (await db
      .knex('inventory.warehouses')
      .orderBy('warehouse_id')
      .pluck('warehouse_id')) as string[];
    // Cases the generated trade has few of: backorders, a reservation the day after the order,
    // an order cancelled after its promise, a line picked without its order's creation.
    const day = CHECKED[5]!;
    const at = (h: number) => new Date(Date.parse(`${day}T00:00:00Z`) + h * 3_600_000);
    const order = (
      orderId: string,
      eventType: OrderEvent['eventType'],
      h: number,
      extra: Partial<OrderEvent> = {},
    ): OrderEvent => ({
      stream: 'orders',
      eventId: randomUUID(),
      eventType,
      orderId,
      warehouseId: warehouses[0]!,
      occurredAt: at(h),
      lines: null,
      promisedDispatchAt: null,
      customerId: null,
      sku: null,
      quantity: null,
      reason: null,
      ...extra,
    });
    const sku = (await db.knex('inventory.products').orderBy('sku').first('sku')).sku as string;
    const created = (id: string, h: number, promise: number) =>
      order(id, 'ORDER_CREATED', h, { lines: [{ sku, quantity: 3 }], promisedDispatchAt: at(promise) });
    await insertFulfilmentEvents(db.knex, 'orders', [
      created('ORDER-BACK-1', 9, 30),
      created('ORDER-BACK-2', 10, 12),
      order('ORDER-BACK-2', 'ORDER_CANCELLED', 14, { reason: 'backorder' }),
      created('ORDER-NEXT-DAY', 11, 40),
      order('ORDER-NEXT-DAY', 'LINE_RESERVED', 26, { sku, quantity: 3 }),
      order('ORDER-ORPHAN', 'LINE_PICKED', 12, { sku, quantity: 1 }),
    ]);
    for (const d of CHECKED) await writeDailyFulfilmentMetrics(db.knex, d);
  });
  after(async function () {
    await db?.drop();
  });

  it('counts every metric of every warehouse and day as the raw events do', async function () {
    const orderRows = (await db.knex('inventory.order_events').select()) as OrderRow[];
    const shipmentRows = (await db.knex('inventory.shipment_events').select()) as ShipmentRow[];
    const stored = await readDailyFulfilmentMetrics(db.knex, {
      fromDay: CHECKED[0]!,
      toDay: CHECKED.at(-1)!,
    });
    for (const day of CHECKED) {
      const expected = recount(orderRows, shipmentRows, day);
      const actual = stored.filter((r) => r.as_of_date === day);
      expect(
        actual.map((r) => r.warehouse_id),
        day,
      ).to.deep.equal(expected.map((r) => r.warehouse_id));
      actual.forEach((row, i) => expectSameMetrics(row, expected[i]!, `${day} ${row.warehouse_id}`));
    }
    // The days checked exercise every figure, not only zeros.
    const sum = (k: keyof FulfilmentMetrics) => stored.reduce((s, r) => s + Number(r[k] ?? 0), 0);
    expectEveryFigureExercised(sum);
  });

  it('leaves the same rows when a day is written again', async function () {
    const day = CHECKED[10]!;
    const before = await readDailyFulfilmentMetrics(db.knex, { fromDay: day, toDay: day });
    await writeDailyFulfilmentMetrics(db.knex, day);
    expect(await readDailyFulfilmentMetrics(db.knex, { fromDay: day, toDay: day })).to.deep.equal(before);
  });
});
