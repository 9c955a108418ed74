import { expect } from 'chai';
import { readFile, stat } from 'node:fs/promises';
import { weeklySummary } from '../../dags/index.js';
import { writeDailySnapshots } from '../../dags/daily_inventory_etl/store/index.js';
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

  it('renders an HTML report with an inline SVG chart, stores it and writes it to DATA_DIR', async () => {
    const row = await db.knex('analytics.weekly_summaries').where({ week_start: WEEK }).first();
    expect(row.report_html).to.include('<svg');
    expect(row.report_html).to.match(/<rect [^>]*height="[\d.]+"/);
    expect(row.report_html).to.include('<td>Fill rate</td><td>90.0 %</td>');
    const file = await readFile(`${env.dataDir}/reports/weekly_summary/week=${WEEK}.html`, 'utf8');
    expect(file).to.equal(row.report_html);
  });

  it('e-mails the report with the chart and a plain-text part', async () => {
    await waitFor('the weekly report', () => smtp.mails.length >= 1);
    const mail = smtp.mails[0]!;
    expect(mail.subject).to.equal('[wareflow] Weekly inventory summary 2026-06-01 – 2026-06-07');
    expect(mail.raw).to.include('<svg');
    expect(mail.raw).to.include('Units sold: 20 (+400.0 % week over week)');
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
