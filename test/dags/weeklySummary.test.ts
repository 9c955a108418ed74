import { expect } from 'chai';
import { readFile, stat } from 'node:fs/promises';
import { weeklySummary } from '../../dags/index.js';
import { randomUUID } from 'node:crypto';
import { writeDailySnapshots } from '../../dags/daily_inventory_etl/store/index.js';
import {
  computeFulfilmentMetrics,
  insertFulfilmentBatch,
  type FulfilmentEvent,
  type OrderEvent,
  type ShipmentEvent,
} from '../../inventory/fulfilment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import {
  addDays,
  at,
  insertProducts,
  insertTransactions,
  insertWarehouses,
  syncLevelsFromLedger,
} from './fixtures.js';
import {
  createTestServices,
  runDagLocally,
  startSmtpServer,
  stepLine,
  type LocalRun,
  type TestServices,
} from './harness.js';

const WEEK = '2026-06-01'; // a Monday
const RUN = { start: at(WEEK, 1), end: at(addDays(WEEK, 7), 1) };

/**
 * Orders of W1. The week before: P1 filled, picked in 2 h, dispatched 2 h later on time, delivered
 * in 2 days; P2 never reserved (a backorder), due and not dispatched. This week: C1 picked in 1 h,
 * dispatched 3 h later on time, one exception, delivered in 2 days; C2 picked in 3 h, dispatched
 * 2 h later after its promise, delivered in a day; C3 cancelled within the hour (neither a
 * backorder nor due).
 */
function fulfilmentEvents(): FulfilmentEvent[] {
  const order = (
    id: string,
    eventType: OrderEvent['eventType'],
    when: Date,
    extra: Partial<OrderEvent> = {},
  ) =>
    ({
      stream: 'orders',
      eventId: randomUUID(),
      eventType,
      orderId: id,
      warehouseId: 'W1',
      occurredAt: when,
      lines: null,
      promisedDispatchAt: null,
      customerId: null,
      sku: null,
      quantity: null,
      reason: null,
      ...extra,
    }) satisfies OrderEvent;
  const created = (id: string, when: Date, units: number, promise: Date) =>
    order(id, 'ORDER_CREATED', when, { lines: [{ sku: 'A', quantity: units }], promisedDispatchAt: promise });
  const line = (id: string, eventType: 'LINE_RESERVED' | 'LINE_PICKED', when: Date, units: number) =>
    order(id, eventType, when, { sku: 'A', quantity: units });
  const shipment = (id: string, eventType: ShipmentEvent['eventType'], when: Date) =>
    ({
      stream: 'shipments',
      eventId: randomUUID(),
      eventType,
      shipmentId: `SHP-${id}`,
      orderId: id,
      warehouseId: 'W1',
      carrier: 'DHL',
      occurredAt: when,
      trackingNumber: null,
      location: null,
      exceptionCode: eventType === 'EXCEPTION' ? 'DELAYED' : null,
      detail: null,
    }) satisfies ShipmentEvent;
  return [
    created('P1', at('2026-05-26', 10), 4, at('2026-05-27', 10)),
    line('P1', 'LINE_RESERVED', at('2026-05-26', 10), 4),
    line('P1', 'LINE_PICKED', at('2026-05-26', 12), 4),
    shipment('P1', 'DISPATCHED', at('2026-05-26', 14)),
    shipment('P1', 'DELIVERED', at('2026-05-28', 14)),
    created('P2', at('2026-05-27', 9), 2, at('2026-05-28', 9)),
    created('C1', at(WEEK, 8), 5, at('2026-06-02', 8)),
    line('C1', 'LINE_RESERVED', at(WEEK, 8), 5),
    line('C1', 'LINE_PICKED', at(WEEK, 9), 5),
    shipment('C1', 'DISPATCHED', at(WEEK, 12)),
    shipment('C1', 'EXCEPTION', at('2026-06-02', 10)),
    shipment('C1', 'DELIVERED', at('2026-06-03', 12)),
    created('C2', at('2026-06-02', 8), 5, at('2026-06-02', 12)),
    line('C2', 'LINE_RESERVED', at('2026-06-02', 8), 5),
    line('C2', 'LINE_PICKED', at('2026-06-02', 11), 5),
    shipment('C2', 'DISPATCHED', at('2026-06-02', 13)),
    shipment('C2', 'DELIVERED', at('2026-06-03', 13)),
    created('C3', at('2026-06-03', 8), 2, at('2026-06-04', 8)),
    order('C3', 'ORDER_CANCELLED', at('2026-06-03', 9)),
  ];
}

describe('weekly_summary', () => {
  let db: TestDatabase;
  let env: TestServices;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  before(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpServer();
    env = await createTestServices({ databaseUrl: db.url, smtpUrl: smtp.url });
    await insertProducts(db.knex, [
      { sku: 'A', lead_time_days: 2, unit_cost: 10 }, // price 15
      { sku: 'B', lead_time_days: 2, unit_cost: 2 }, // price 3
      { sku: 'C', lead_time_days: 2, unit_cost: 1 },
    ]);
    await insertWarehouses(db.knex, ['W1']);
    const tx = (sku: string, event_type: string, q: number, day: string, hour = 12) => ({
      sku,
      warehouse_id: 'W1',
      event_type,
      quantity_change: q,
      occurred_at: at(day, hour),
    });
    await insertTransactions(db.knex, [
      tx('A', 'RESTOCK', 100, '2026-05-25'),
      tx('B', 'RESTOCK', 20, '2026-05-25'),
      tx('C', 'RESTOCK', 1, '2026-05-25'),
      tx('A', 'SALE', -4, '2026-05-27'), // the week before: 4 units sold
      tx('A', 'SALE', -10, '2026-06-01'),
      tx('B', 'SALE', -2, '2026-06-02'),
      tx('A', 'SALE', -5, '2026-06-03'),
      tx('C', 'SALE', -3, '2026-06-04'), // only 1 in stock: 1 of 3 units filled
    ]);
    await syncLevelsFromLedger(db.knex);
    await insertFulfilmentBatch(db.knex, fulfilmentEvents());
    for (let d = 0; d < 7; d++) await writeDailySnapshots(db.knex, addDays(WEEK, d));
    await db.knex('analytics.data_quality_runs').insert(
      [90, 100].map((score, i) => ({
        check_run_key: `dq-${i}`,
        dag_id: 'data_quality',
        interval_start: at('2026-06-02', i),
        interval_end: at('2026-06-02', i + 0.5),
        score,
        rules_checked: 10,
        rules_failed: 0,
      })),
    );
  });
  after(async () => {
    await env?.close();
    await smtp?.close();
    await db?.drop();
  });

  let first: LocalRun;
  it('computes throughput, turnover, stock-out and fill rates, movers and week-over-week change', async () => {
    const run = (first = await runDagLocally(weeklySummary, { db: db.knex, ...env }, RUN));
    expect(run.failed).to.deep.equal({});
    const row = await db.knex('analytics.weekly_summaries').where({ week_start: WEEK }).first();
    expect(row.week_end).to.equal('2026-06-07');
    const m = row.metrics;
    // Inventory value per day: A 86,86,81×5 at 10; B 20,18×6 at 2; C 1,1,1,0,0,0,0 at 1 (negative counts as 0).
    const avgValue = (10 * (86 + 86 + 81 * 5) + 2 * (20 + 18 * 6) + 3) / 7;
    expect(m.kpis).to.deep.include({
      transactions: 4,
      units_sold: 20,
      units_out: 20,
      units_in: 0,
      sales_value: 15 * 15 + 2 * 3 + 3 * 1.5,
      stockout_rate: Math.round((4 / 21) * 1e6) / 1e6, // C has nothing available Thu–Sun
      fill_rate: Math.round((18 / 20) * 1e6) / 1e6,
      dq_score: 95,
    });
    expect(m.kpis.turnover).to.be.closeTo((150 + 4 + 3) / avgValue, 1e-6);
    expect(m.week_over_week.units_sold).to.equal(4); // (20 − 4) / 4
    expect(m.week_over_week.dq_score).to.equal(null); // no runs the week before
    expect(m.daily_units_sold).to.deep.equal([10, 2, 5, 3, 0, 0, 0]);
    expect(m.top_movers).to.deep.equal([
      { sku: 'A', units: 15 },
      { sku: 'C', units: 3 },
      { sku: 'B', units: 2 },
    ]);
    expect(m.bottom_movers).to.deep.equal([
      { sku: 'B', units: 2 },
      { sku: 'A', units: 15 },
    ]);
  });

  it('reports each warehouse’s fulfilment week — the definition over the seven days — with its change', async () => {
    const row = await db.knex('analytics.weekly_summaries').where({ week_start: WEEK }).first();
    const [w1] = row.metrics.fulfilment;
    expect(row.metrics.fulfilment).to.have.length(1);
    expect(w1.warehouse_id).to.equal('W1');
    const H = 3600;
    expect(w1.kpis).to.deep.equal({
      orders_created: 3,
      on_time_dispatch_rate: 0.5,
      fill_rate: 10 / 12,
      backorders: 0,
      order_to_pick_p50_s: 2 * H,
      order_to_pick_p95_s: 2.9 * H,
      pick_to_dispatch_p50_s: 2.5 * H,
      pick_to_dispatch_p95_s: 2.95 * H,
      delivery_p50_s: 36 * H,
      delivery_p95_s: 46.8 * H,
      exceptions: 1,
    });
    // Exactly the fulfilment owner's definition over the week.
    const [definition] = await computeFulfilmentMetrics(db.knex, {
      from: at(WEEK),
      to: at(addDays(WEEK, 7)),
    });
    for (const [k, v] of Object.entries(w1.kpis))
      expect(v, k).to.equal(definition![k as keyof typeof definition]);
    // Against the week before: 2 orders, 4 of 6 units reserved, 1 backorder, 1 of 2 on time, no exception.
    expect(w1.week_over_week).to.deep.include({
      orders_created: 0.5,
      fill_rate: 0.25,
      backorders: -1,
      on_time_dispatch_rate: 0,
      order_to_pick_p50_s: 0,
      delivery_p50_s: -0.25,
      exceptions: null,
    });
  });

  it('renders an HTML report with an inline SVG chart, stores it and writes it to DATA_DIR', async () => {
    const row = await db.knex('analytics.weekly_summaries').where({ week_start: WEEK }).first();
    expect(row.report_html).to.include('<svg');
    expect(row.report_html).to.match(/<rect [^>]*height="[\d.]+"/);
    expect(row.report_html).to.include('<td>Fill rate</td><td>90.0 %</td>');
    expect(row.report_html).to.include('<h3>Fulfilment by warehouse</h3>');
    expect(row.report_html).to.include('<td>On-time dispatch</td><td>50.0 %</td><td>+0.0 %</td>');
    expect(row.report_html).to.include('<td>Pick → dispatch p95</td><td>3.0 h</td>');
    expect(row.report_html).to.include('<td>Delivery p50</td><td>1.5 d</td><td>-25.0 %</td>');
    expect(row.report_html).to.include('<td>Backorders</td><td>0</td><td>-100.0 %</td>');
    const file = await readFile(`${env.dataDir}/reports/weekly_summary/week=${WEEK}.html`, 'utf8');
    expect(file).to.equal(row.report_html);
  });

  it('e-mails the report with the chart and a plain-text part', async () => {
    await waitFor('the weekly report', () => smtp.mails.length >= 1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).to.equal('[wareflow] Weekly inventory summary 2026-06-01 – 2026-06-07');
    expect(mail.raw).to.include('<svg');
    expect(mail.raw).to.include('Units sold: 20 (+400.0 % week over week)');
    expect(mail.raw).to.include('Fulfilment W1:');
    expect(mail.raw).to.include('Fill rate (ordered units reserved): 83.3 % (+25.0 % week over week)');
  });

  it('logs the ISO week, the rows read, the KPIs, the report file and the e-mail', async () => {
    for (const task of Object.keys(first.outputs))
      expect(stepLine(first, task, 'interval')).to.include({ week: '2026-W23', week_start: WEEK });
    const { rows } = await db.knex.raw(
      `SELECT (SELECT count(*) FROM inventory.inventory_transactions WHERE occurred_at >= :s AND occurred_at < :e)::int AS tx,
              (SELECT count(*) FROM analytics.daily_inventory_snapshots
               WHERE snapshot_date >= CAST(:ws AS date) AND snapshot_date < CAST(:ws AS date) + 7)::int AS pair_days`,
      { s: at(WEEK), e: at(addDays(WEEK, 7)), ws: WEEK },
    );
    expect(stepLine(first, 'aggregate_week', 'this week')).to.include({
      transactions: rows[0].tx,
      pair_days: rows[0].pair_days,
      dq_runs: 2,
    });
    expect(stepLine(first, 'aggregate_week', 'week before')).to.include({
      week: '2026-W22',
      transactions: 4,
    });
    const stored = await db.knex('analytics.weekly_summaries').where({ week_start: WEEK }).first();
    expect(stepLine(first, 'compute_weekly_metrics', 'kpis').kpis).to.deep.equal(stored.metrics.kpis);
    expect(stepLine(first, 'build_report', 'summary')).to.include({ changed: true, rows_written: 1 });
    const file = `${env.dataDir}/reports/weekly_summary/week=${WEEK}.html`;
    expect(stepLine(first, 'build_report', 'report file')).to.include({
      path: file,
      bytes: (await stat(file)).size,
    });
    expect(stepLine(first, 'send_report', 'email')).to.include({
      recipients: smtp.mails[0]!.to.length,
      subject: smtp.mails[0]!.subject,
    });
  });

  it('leaves the stored summary identical when the week runs again', async () => {
    const before = await db.knex('analytics.weekly_summaries').orderBy('week_start');
    expect((await runDagLocally(weeklySummary, { db: db.knex, ...env }, RUN)).failed).to.deep.equal({});
    expect(await db.knex('analytics.weekly_summaries').orderBy('week_start')).to.deep.equal(before);
  });
});
