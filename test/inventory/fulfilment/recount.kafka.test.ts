import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { dailyInventoryEtl } from '../../../dags/index.js';
import { runDagInProcess } from '../../../engine/index.js';
import {
  ensureOpeningStock,
  eventsPerDay,
  generateMasterData,
  naturalRate,
  publishToKafka,
  writeMasterData,
  type PublishSummary,
} from '../../../inventory/generator/index.js';
import {
  FULFILMENT_METRIC_COLUMNS,
  readDailyFulfilmentMetrics,
} from '../../../inventory/fulfilment/index.js';
import { topicNames, type TopicNames } from '../../../platform/index.js';
import { startStreaming, type StreamingSidecar } from '../../../streaming/index.js';
import { createTestServices, type TestServices } from '../../dags/harness.js';
import { openStreamingFixture, produce, type StreamingFixture } from '../../streaming/support.js';
import { waitFor } from '../../support/wait.js';
import { expectEveryFigureExercised } from './figures.js';
import { recountFromRawEvents, type Recounted } from './recountSql.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Simulated days of trade: orders are created, picked, dispatched and delivered within them. */
const DAYS = 6;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type Figures = Record<(typeof FULFILMENT_METRIC_COLUMNS)[number], number | null>;
const figuresOf = (row: object): Figures =>
  Object.fromEntries(
    FULFILMENT_METRIC_COLUMNS.map((c) => [c, (row as Record<string, number | null>)[c] ?? null]),
  ) as Figures;

/** Counts exactly, rates and seconds to 1e-6. */
function expectSameFigures(actual: Figures, expected: Figures, where: string): void {
  for (const c of FULFILMENT_METRIC_COLUMNS) {
    const want = expected[c];
    if (typeof want === 'number' && !Number.isInteger(want))
      expect(actual[c], `${where} ${c}`).to.be.closeTo(want, 1e-6);
    else expect(actual[c], `${where} ${c}`).to.equal(want);
  }
}

/** `kind|start|warehouse` → figures. */
const keyed = (rows: Array<{ kind: string; start: Date | string; warehouse_id: string; figures: Figures }>) =>
  new Map(rows.map((r) => [`${r.kind}|${new Date(r.start).toISOString()}|${r.warehouse_id}`, r.figures]));

/**
 * The "must hold": each fulfilment metric equals a SQL recount over the raw events. The
 * generator's order, shipment and audit streams go through real Kafka and the sidecar, a few
 * orders arrive carrier side first, the daily ETL task runs for every day, and a recount written
 * apart (./recountSql.ts: the raw event tables, `date_bin`, no projection, not the definition)
 * must give the same figures as the ETL's daily table and as every stream window.
 */
describe('fulfilment metrics equal a SQL recount over the raw events (Kafka, sidecar, ETL)', function () {
  this.timeout(300_000);
  let f: StreamingFixture;
  let env: TestServices;
  let sidecar: StreamingSidecar;
  let topics: TopicNames;
  let summary: PublishSummary;
  let recount: Recounted[];
  const days: string[] = [];

  before(async function () {
    f = await openStreamingFixture();
    env = await createTestServices({ databaseUrl: f.config.DATABASE_URL });
    const master = generateMasterData({ seed: 21, skus: 12, warehouses: 2 });
    await writeMasterData(f.db.knex, master);
    const { levels } = await ensureOpeningStock(f.db.knex, master, {
      seed: 21,
      at: new Date(Date.now() - (DAYS + 1) * DAY_MS),
    });
    sidecar = await startStreaming(f.config, { port: false });
    topics = topicNames(f.config);
    const started = Date.now() - DAYS * DAY_MS;
    summary = await publishToKafka(f.kafka, topics.events, {
      seed: 21,
      master,
      levels,
      rate: Infinity,
      eventTime: { start: started, rate: naturalRate(master) },
      count: Math.ceil(DAYS * eventsPerDay(master)),
      fulfilmentTopics: { orders: topics.orders, shipments: topics.shipments, audit: topics.audit },
    });
    const totals = sidecar.fulfilmentTotals;
    const fulfilmentApplied = () => totals.orders.applied + totals.shipments.applied + totals.audit.applied;
    await waitFor('the generated streams applied', () => fulfilmentApplied() === summary.fulfilment, {
      timeoutMs: 120_000,
    });

    // Hand-written, carrier side first: two orders' shipments are applied before their orders
    // exist, then their picks, then their creations; a backorder is cancelled after its promise
    // (and more than a day after its creation: a backorder of its day) before it is created.
    const [warehouse, otherWarehouse] = master.warehouses.map((w) => w.warehouse_id);
    const sku = master.products[0]!.sku;
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR_MS).toISOString();
    const late = (
      id: string,
      wh: string,
      created: number,
      promise: number,
      pick: number,
      dispatch: number,
    ) => ({
      orders: [
        { eventType: 'LINE_PICKED', orderId: id, warehouseId: wh, timestamp: at(pick), sku, quantity: 2 },
        {
          eventType: 'ORDER_CREATED',
          orderId: id,
          warehouseId: wh,
          timestamp: at(created),
          promisedDispatchAt: at(promise),
          lines: [{ sku, quantity: 2 }],
        },
        {
          eventType: 'LINE_RESERVED',
          orderId: id,
          warehouseId: wh,
          timestamp: at(created),
          sku,
          quantity: 2,
        },
      ],
      shipments: [
        { eventType: 'DISPATCHED', timestamp: at(dispatch) },
        { eventType: 'EXCEPTION', timestamp: at(dispatch - 1), exceptionCode: 'DELAYED' },
        { eventType: 'DELIVERED', timestamp: at(dispatch - 3) },
      ].map((e) => ({
        ...e,
        shipmentId: id.replace('ORDER-', 'SHP-'),
        orderId: id,
        warehouseId: wh,
        carrier: 'UPS',
      })),
    });
    const a = late(`ORDER-LATE-${randomUUID().slice(0, 8)}`, warehouse!, 50, 40, 45, 30);
    const b = late(`ORDER-LATE-${randomUUID().slice(0, 8)}`, otherWarehouse!, 30, 27, 26, 25.5);
    const backorder = `ORDER-BACK-${randomUUID().slice(0, 8)}`;
    const withIds = <T extends object>(events: T[]) => events.map((e) => ({ eventId: randomUUID(), ...e }));
    const [picks, creations] = [0, 1].map((step) =>
      withIds([a, b].flatMap((o) => (step === 0 ? o.orders.slice(0, 1) : o.orders.slice(1)))),
    );
    const steps: Array<{ topic: string; events: Array<Record<string, unknown>> }> = [
      { topic: topics.shipments, events: withIds([...a.shipments, ...b.shipments]) },
      {
        topic: topics.orders,
        events: [
          ...picks!,
          ...withIds([
            { eventType: 'ORDER_CANCELLED', orderId: backorder, warehouseId: warehouse!, timestamp: at(2) },
          ]),
        ],
      },
      {
        topic: topics.orders,
        events: [
          ...creations!,
          ...withIds([
            {
              eventType: 'ORDER_CREATED',
              orderId: backorder,
              warehouseId: warehouse!,
              timestamp: at(30),
              promisedDispatchAt: at(28),
              lines: [{ sku, quantity: 5 }],
            },
          ]),
        ],
      },
    ];
    // One step at a time: each is applied before the next is sent.
    let expected = summary.fulfilment;
    for (const step of steps) {
      await produce(
        f.producer,
        step.topic,
        step.events.map((e) => ({ key: String(e.shipmentId ?? e.orderId), value: JSON.stringify(e) })),
      );
      expected += step.events.length;
      await waitFor('the step applied', () => fulfilmentApplied() === expected);
    }
    for (const s of [totals.orders, totals.shipments, totals.audit])
      expect(s.dlq, 'dead-lettered').to.equal(0);
    await waitFor('the marked windows refreshed', async () => {
      const rows = await f.db.knex('streaming.fulfilment_window_marks').count({ n: '*' });
      return Number(rows[0]?.n) === 0;
    });

    // The daily ETL's task, as the scheduler runs it, for every day of the trade.
    const etl = {
      ...dailyInventoryEtl,
      tasks: dailyInventoryEtl.tasks.filter((t) => t.id === 'load_fulfilment_metrics'),
      roots: ['load_fulfilment_metrics'],
    };
    for (let t = started - DAY_MS; t <= Date.now(); t += DAY_MS) days.push(utcDay(t));
    for (const day of days) {
      const start = new Date(Date.parse(`${day}T02:00:00Z`));
      const run = await runDagInProcess(
        etl,
        { db: f.db.knex, services: { inventory: env.services }, logger: env.logger },
        { start, end: new Date(start.getTime() + DAY_MS) },
      );
      expect(run.failed, day).to.deep.equal({});
    }
    recount = await recountFromRawEvents(f.db.knex);
  });

  after(async function () {
    await sidecar?.close();
    await env?.close();
    await f?.close();
  });

  it('recounts the trade of every figure, not only zeros', function () {
    const sum = (c: keyof Figures) =>
      recount.filter((r) => r.kind === 'day').reduce((n, r) => n + Number(r[c] ?? 0), 0);
    expectEveryFigureExercised(sum);
  });

  it('gives the daily table of the ETL the recount of every day and warehouse', async function () {
    const stored = await readDailyFulfilmentMetrics(f.db.knex, { fromDay: days[0]!, toDay: days.at(-1)! });
    const actual = keyed(
      stored.map((r) => ({
        kind: 'day',
        start: `${r.as_of_date}T00:00:00Z`,
        warehouse_id: r.warehouse_id,
        figures: figuresOf(r),
      })),
    );
    const expected = keyed(
      recount
        .filter((r) => r.kind === 'day' && days.includes(utcDay(r.period_start.getTime())))
        .map((r) => ({
          kind: r.kind,
          start: r.period_start,
          warehouse_id: r.warehouse_id,
          figures: figuresOf(r),
        })),
    );
    expect([...actual.keys()].sort()).to.deep.equal([...expected.keys()].sort());
    for (const [key, figures] of expected) expectSameFigures(actual.get(key)!, figures, key);
  });

  it('gives every stream window (15 min and 1 h) the recount of its period and warehouse, and keeps no other', async function () {
    const stored = (await f.db.knex('streaming.fulfilment_windows').select()) as Array<
      Record<string, unknown> & {
        window_kind: string;
        window_start: Date;
        window_end: Date;
        warehouse_id: string;
      }
    >;
    for (const w of stored)
      expect(w.window_end.getTime() - w.window_start.getTime()).to.equal(
        w.window_kind === 'tumbling_1h' ? HOUR_MS : HOUR_MS / 4,
      );
    const actual = keyed(
      stored.map((r) => ({
        kind: r.window_kind,
        start: r.window_start,
        warehouse_id: r.warehouse_id,
        figures: figuresOf(r),
      })),
    );
    const expected = keyed(
      recount
        .filter((r) => r.kind !== 'day')
        .map((r) => ({
          kind: r.kind,
          start: r.period_start,
          warehouse_id: r.warehouse_id,
          figures: figuresOf(r),
        })),
    );
    expect(actual.size).to.be.greaterThan(150);
    expect([...actual.keys()].sort()).to.deep.equal([...expected.keys()].sort());
    for (const [key, figures] of expected) expectSameFigures(actual.get(key)!, figures, key);
  });
});
