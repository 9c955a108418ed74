import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { topicNames, type Config, type TopicNames } from '../../platform/index.js';
import {
  FULFILMENT_WINDOW_KINDS,
  fulfilmentWindowsOf,
  listFulfilmentWindows,
  startStreaming,
  type StreamingSidecar,
} from '../../streaming/index.js';
import { memoryBroker, type MemoryBroker } from '../../streaming/transport/index.js';
import {
  computeFulfilmentMetrics,
  insertFulfilmentEvents,
  validateFulfilmentMessage,
  type EventOf,
  type FulfilmentStream,
} from '../../inventory/fulfilment/index.js';
import { markChangedWindows, refreshMarkedWindows } from '../../streaming/pipeline/index.js';
import { seedMasterData, streamingConfig, type TestMaster } from './support.js';

const MIN = 60_000;
const HOUR = 3_600_000;
/** A whole hour six hours ago: every event of these specs falls in the six hours after it. */
const BASE = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
const iso = (minutes: number) => new Date(BASE + minutes * MIN).toISOString();

type Wire = Record<string, unknown> & { eventId: string };

/** A wire event as the contract normalises it. */
function validated<S extends FulfilmentStream>(stream: S, wire: Wire): EventOf<S> {
  const v = validateFulfilmentMessage(stream, Buffer.from(JSON.stringify(wire)), {
    now: Date.now(),
    maxEventAgeDays: 30,
  });
  if (!v.ok) throw new Error(`${v.reason}: ${v.detail}`);
  return v.event as EventOf<S>;
}

describe('fulfilment windows of the stream', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let m: TestMaster;
  let config: Config;
  let topics: TopicNames;
  const sidecars: StreamingSidecar[] = [];

  before(async function () {
    db = await createTestDatabase();
    m = await seedMasterData(db.knex, { skus: 3, warehouses: 2 });
  });
  beforeEach(async function () {
    config = streamingConfig(db.url);
    topics = topicNames(config);
    await db.knex.raw(`TRUNCATE inventory.order_events, inventory.orders, inventory.order_lines,
      inventory.shipment_events, inventory.shipments, streaming.fulfilment_windows,
      streaming.fulfilment_window_marks`);
  });
  afterEach(async function () {
    for (const s of sidecars.splice(0).reverse()) await s.close();
  });
  after(async function () {
    await db?.drop();
  });

  const start = async (broker: MemoryBroker, chunkSize = 50) => {
    const s = await startStreaming(config, { broker, port: false, retryDelayMs: [10, 50], chunkSize });
    sidecars.push(s);
    return s;
  };
  const send = async (broker: MemoryBroker, stream: FulfilmentStream, items: Wire[]) => {
    const publisher = await broker.publisher();
    await publisher.send(
      topics[stream],
      items.map((item) => ({
        key: String(stream === 'orders' ? item.orderId : item.shipmentId),
        value: JSON.stringify(item),
      })),
    );
    await publisher.close();
  };
  const applied = async (sidecar: StreamingSidecar, orders: number, shipments: number) => {
    const t = sidecar.fulfilmentTotals;
    await waitFor(
      `${orders} order and ${shipments} shipment events settled`,
      () =>
        t.orders.applied + t.orders.duplicates === orders &&
        t.shipments.applied + t.shipments.duplicates === shipments,
    );
    expect(t.orders.dlq + t.shipments.dlq, 'dead-lettered').to.equal(0);
    await refreshed();
  };
  /** The refresher has recomputed every window a committed chunk marked. */
  const refreshed = () =>
    waitFor('the marked windows refreshed', async () => {
      const rows = await db.knex('streaming.fulfilment_window_marks').count({ n: '*' });
      return Number(rows[0]?.n) === 0;
    });

  const order = (id: string, warehouse: number, eventType: string, minutes: number, extra: object = {}) => ({
    eventId: randomUUID(),
    eventType,
    orderId: id,
    warehouseId: m.warehouses[warehouse]!,
    timestamp: iso(minutes),
    ...extra,
  });
  const created = (id: string, warehouse: number, minutes: number, promise: number, units = 2) =>
    order(id, warehouse, 'ORDER_CREATED', minutes, {
      lines: [{ sku: m.skus[0]!, quantity: units }],
      promisedDispatchAt: iso(promise),
    });
  const line = (id: string, warehouse: number, eventType: string, minutes: number, units = 2) =>
    order(id, warehouse, eventType, minutes, { sku: m.skus[0]!, quantity: units });
  const shipment = (
    id: string,
    warehouse: number,
    eventType: string,
    minutes: number,
    extra: object = {},
  ) => ({
    eventId: randomUUID(),
    eventType,
    shipmentId: id.replace('ORDER-', 'SHP-'),
    orderId: id,
    warehouseId: m.warehouses[warehouse]!,
    carrier: 'DHL',
    timestamp: iso(minutes),
    ...extra,
  });

  /**
   * Every window of both kinds from an hour before BASE to two hours after the last event: the
   * stored rows are exactly the definition over the window, computed now from what is stored.
   */
  async function expectWindowsEqualTheDefinition(): Promise<number> {
    let compared = 0;
    for (const { kind, sizeMs } of FULFILMENT_WINDOW_KINDS) {
      const from = new Date(BASE - HOUR);
      const to = new Date(BASE + 9 * HOUR);
      const stored = await listFulfilmentWindows(db.knex, { windowKind: kind, from, to });
      for (let t = from.getTime(); t < to.getTime(); t += sizeMs) {
        const period = { from: new Date(t), to: new Date(t + sizeMs) };
        const expected = await computeFulfilmentMetrics(db.knex, period);
        const actual = stored
          .filter((w) => w.window_start.getTime() === t)
          .map(({ window_kind: _k, window_start: _s, window_end, computed_at: _c, ...figures }) => {
            expect(window_end.getTime()).to.equal(t + sizeMs);
            return figures;
          })
          .sort((a, b) => a.warehouse_id.localeCompare(b.warehouse_id));
        expect(actual, `${kind} ${period.from.toISOString()}`).to.deep.equal(expected);
        compared += expected.length;
      }
    }
    return compared;
  }

  it('places a time in the 15-minute and the hourly window that contain it, each once', function () {
    const at = (h: number, m: number) => new Date(Date.UTC(2026, 2, 2, h, m));
    const windows = fulfilmentWindowsOf([at(9, 14), at(9, 0), at(9, 59), at(10, 0), at(9, 5)]);
    expect(
      windows.map((w) => [w.kind, w.start.toISOString().slice(11, 16), w.end.toISOString().slice(11, 16)]),
    ).to.deep.equal([
      ['tumbling_15m', '09:00', '09:15'],
      ['tumbling_15m', '09:45', '10:00'],
      ['tumbling_15m', '10:00', '10:15'],
      ['tumbling_1h', '09:00', '10:00'],
      ['tumbling_1h', '10:00', '11:00'],
    ]);
  });

  it('keeps every window equal to the definition while shipments arrive before their orders, and picks before creations', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const [a, b, c, d] = ['ORDER-WA', 'ORDER-WB', 'ORDER-WC', 'ORDER-WD'].map((x) => `${x}-${m.prefix}`);
    // Step 1: the carrier's side first.
    await send(broker, 'shipments', [
      shipment(a!, 0, 'DISPATCHED', 80),
      shipment(a!, 0, 'EXCEPTION', 150, { exceptionCode: 'DELAYED' }),
      shipment(a!, 0, 'DELIVERED', 180),
      shipment(c!, 1, 'DISPATCHED', 105),
    ]);
    await applied(sidecar, 0, 4);
    expect(await expectWindowsEqualTheDefinition()).to.be.greaterThan(0);
    // Step 2: picks and cancellations, before the orders they belong to were created.
    await send(broker, 'orders', [
      line(a!, 0, 'LINE_PICKED', 40),
      line(c!, 1, 'LINE_PICKED', 65),
      order(b!, 0, 'ORDER_CANCELLED', 120),
      order(d!, 1, 'ORDER_CANCELLED', 30),
    ]);
    await applied(sidecar, 4, 4);
    await expectWindowsEqualTheDefinition();
    // Step 3: the creations and reservations; B is never reserved (a backorder, due at 1 h and
    // cancelled after it), D is cancelled before its promise (not due).
    await send(broker, 'orders', [
      created(a!, 0, 5, 130),
      line(a!, 0, 'LINE_RESERVED', 5),
      created(b!, 0, 20, 60, 3),
      created(c!, 1, 50, 90),
      line(c!, 1, 'LINE_RESERVED', 55),
      created(d!, 1, 10, 100),
    ]);
    await applied(sidecar, 10, 4);
    expect(await expectWindowsEqualTheDefinition()).to.be.greaterThan(10);

    const hour = (start: number, warehouse: number) =>
      listFulfilmentWindows(db.knex, {
        windowKind: 'tumbling_1h',
        from: new Date(BASE + start * HOUR),
        to: new Date(BASE + (start + 1) * HOUR),
        warehouseId: m.warehouses[warehouse]!,
      }).then((rows) => rows[0]);
    // The first hour at the first warehouse: A and B created, 2 of 5 units reserved, B backordered.
    expect(await hour(0, 0)).to.include({
      orders_created: 2,
      units_ordered: 5,
      units_reserved_same_day: 2,
      backorders: 1,
      lines_picked: 1,
      order_to_pick_p50_s: 35 * 60,
    });
    // The second hour: A dispatched 40 min after its pick; B due at 1 h, never dispatched.
    expect(await hour(1, 0)).to.include({
      shipments_dispatched: 1,
      pick_to_dispatch_p50_s: 40 * 60,
      orders_due: 1,
      dispatched_on_time: 0,
    });
    // C promised at 1.5 h and dispatched at 1.75 h: late; D cancelled before its promise: not due.
    expect(await hour(1, 1)).to.include({ orders_due: 1, dispatched_on_time: 0, shipments_dispatched: 1 });
  });

  it('keeps a row in each window an event changed: its creation, its promise, its pick', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const id = `ORDER-WM-${m.prefix}`;
    await send(broker, 'orders', [created(id, 0, 5, 70), line(id, 0, 'LINE_PICKED', 30)]);
    await applied(sidecar, 2, 0);
    // Creation, promise and pick: 0:05 and 0:30 → the quarters 0:00 and 0:30 and the hour 0:00;
    // 1:10 → the quarter 1:00 and the hour 1:00.
    const windows = await db
      .knex('streaming.fulfilment_windows')
      .select('window_kind', 'window_start')
      .orderBy(['window_kind', 'window_start']);
    const at = (minutes: number) => new Date(BASE + minutes * MIN);
    expect(windows).to.deep.equal([
      { window_kind: 'tumbling_15m', window_start: at(0) },
      { window_kind: 'tumbling_15m', window_start: at(30) },
      { window_kind: 'tumbling_15m', window_start: at(60) },
      { window_kind: 'tumbling_1h', window_start: at(0) },
      { window_kind: 'tumbling_1h', window_start: at(60) },
    ]);
  });

  it('recomputes, once started, the windows an earlier run marked and did not refresh', async function () {
    // As a crash between a chunk's commit and the refresh leaves it: events and marks, no windows.
    const id = `ORDER-WK-${m.prefix}`;
    const events = [created(id, 1, 20, 100), line(id, 1, 'LINE_RESERVED', 21)].map((e) =>
      validated('orders', e),
    );
    await db.knex.transaction(async (trx) => {
      await insertFulfilmentEvents(trx, 'orders', events);
      await markChangedWindows(
        trx,
        'orders',
        events.map((e) => e.eventId),
      );
    });
    expect(await db.knex('streaming.fulfilment_windows').select()).to.deep.equal([]);
    await start(memoryBroker());
    await refreshed();
    expect(await expectWindowsEqualTheDefinition()).to.equal(4);
  });

  it('finds a window through the rows of a chunk committed while it waited (the marks lock)', async function () {
    const id = `ORDER-WL-${m.prefix}`;
    const pick = validated('orders', line(id, 0, 'LINE_PICKED', 40));
    const dispatch = validated('shipments', shipment(id, 0, 'DISPATCHED', 80));
    const creation = validated('orders', created(id, 0, 5, 200));
    await db.knex.transaction(async (trx) => {
      await insertFulfilmentEvents(trx, 'orders', [creation]);
      await markChangedWindows(trx, 'orders', [creation.eventId]);
    });
    // B stores the dispatch and marks its windows; A stores the pick while B has not committed.
    const b = await db.knex.transaction();
    const a = await db.knex.transaction();
    try {
      await insertFulfilmentEvents(b, 'shipments', [dispatch]);
      await markChangedWindows(b, 'shipments', [dispatch.eventId]);
      await insertFulfilmentEvents(a, 'orders', [pick]);
      const marking = markChangedWindows(a, 'orders', [pick.eventId]);
      await b.commit();
      await marking;
      // A refresh between the two commits computes the dispatch's window without the pick; A's
      // marks, made after B committed, name that window again.
      await refreshMarkedWindows(db.knex);
      await a.commit();
    } finally {
      await Promise.all([a, b].map((t) => (t.isCompleted() ? undefined : t.rollback())));
    }
    await refreshMarkedWindows(db.knex);
    await expectWindowsEqualTheDefinition();
    const [hour] = await listFulfilmentWindows(db.knex, {
      windowKind: 'tumbling_1h',
      from: new Date(BASE + HOUR),
      to: new Date(BASE + 2 * HOUR),
    });
    expect(hour).to.include({ shipments_dispatched: 1, pick_to_dispatch_p50_s: 40 * 60 });
  });

  it('changes nothing when the same events come again', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const id = `ORDER-WR-${m.prefix}`;
    const events = [created(id, 0, 5, 70), line(id, 0, 'LINE_RESERVED', 6), line(id, 0, 'LINE_PICKED', 30)];
    await send(broker, 'orders', events);
    await applied(sidecar, 3, 0);
    const before = await db.knex('streaming.fulfilment_windows').orderBy(['window_kind', 'window_start']);
    expect(before.length).to.be.greaterThan(0);
    await send(broker, 'orders', events);
    await send(
      broker,
      'orders',
      events.map((e) => ({ ...e, eventId: randomUUID() })),
    );
    await applied(sidecar, 9, 0);
    expect(sidecar.fulfilmentTotals.orders.duplicates).to.equal(6);
    expect(
      await db.knex('streaming.fulfilment_windows').orderBy(['window_kind', 'window_start']),
    ).to.deep.equal(before);
  });

  it('stays equal to the definition when both topics of many orders arrive shuffled, in small chunks, side by side', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker, 7);
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const minute = (lo: number, hi: number) => Math.round(lo + random() * (hi - lo));
    const orders: Wire[] = [];
    const shipments: Wire[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `ORDER-R${i}-${m.prefix}`;
      const w = i % 2;
      const t = minute(0, 180);
      orders.push(created(id, w, t, t + minute(30, 150), 1 + (i % 3)));
      if (random() < 0.85) orders.push(line(id, w, 'LINE_RESERVED', t + minute(0, 20), 1 + (i % 3)));
      if (random() < 0.15) {
        orders.push(order(id, w, 'ORDER_CANCELLED', t + minute(5, 120)));
        continue;
      }
      const pick = t + minute(10, 60);
      if (random() < 0.8) orders.push(line(id, w, 'LINE_PICKED', pick));
      if (random() < 0.7) {
        const dispatch = pick + minute(5, 90);
        shipments.push(shipment(id, w, 'DISPATCHED', dispatch));
        if (random() < 0.2)
          shipments.push(shipment(id, w, 'EXCEPTION', dispatch + 20, { exceptionCode: 'DAMAGED' }));
        if (random() < 0.6)
          shipments.push(shipment(id, w, 'DELIVERED', Math.min(dispatch + minute(20, 60), 350)));
      }
    }
    const shuffle = <T>(xs: T[]) =>
      xs
        .map((x) => [random(), x] as const)
        .sort((p, q) => p[0] - q[0])
        .map((p) => p[1]);
    await Promise.all([
      send(broker, 'orders', shuffle(orders)),
      send(broker, 'shipments', shuffle(shipments)),
    ]);
    await applied(sidecar, orders.length, shipments.length);
    expect(await expectWindowsEqualTheDefinition()).to.be.greaterThan(40);
  });
});
