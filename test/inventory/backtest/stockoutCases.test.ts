import { expect } from 'chai';
import { writeDailySnapshots, writeProcessedMetrics } from '../../../dags/daily_inventory_etl/store/index.js';
import { calibrationReport } from '../../../inventory/analytics/index.js';
import { stockoutCases, type StockoutCase } from '../../../inventory/backtest/index.js';
import { generateToPostgres } from '../../../inventory/generator/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { addDays } from '../../dags/fixtures.js';

const TO = '2026-03-01';
const DAYS = 70;
/** The daily ETL has processed the last PROCESSED days of the history. */
const PROCESSED = 50;

interface LedgerRow {
  sku: string;
  warehouse_id: string;
  event_id: string;
  event_type: string;
  quantity_change: number;
  occurred_at: Date;
}

/**
 * The outcome replayed in TypeScript, independently of the SQL: the pair-days (pair|UTC day) on
 * which available fell to ≤ 0 after some transaction.
 */
async function outDays(db: TestDatabase): Promise<Set<string>> {
  const levels = await db
    .knex('inventory.inventory_levels')
    .select('sku', 'warehouse_id', 'quantity_on_hand', 'quantity_reserved');
  const available = new Map(
    levels.map((l) => [`${l.sku}|${l.warehouse_id}`, l.quantity_on_hand - l.quantity_reserved]),
  );
  const rows: LedgerRow[] = await db
    .knex('inventory.inventory_transactions')
    .select('sku', 'warehouse_id', 'event_id', 'event_type', 'quantity_change', 'occurred_at')
    .orderBy([
      { column: 'occurred_at', order: 'desc' },
      { column: 'event_id', order: 'desc' },
    ]);
  const out = new Set<string>();
  for (const r of rows) {
    const pair = `${r.sku}|${r.warehouse_id}`;
    const after = available.get(pair)!;
    if (after <= 0) out.add(`${pair}|${r.occurred_at.toISOString().slice(0, 10)}`);
    const reserving = r.event_type === 'RESERVATION' || r.event_type === 'RESERVATION_RELEASE';
    available.set(pair, after - (reserving ? -r.quantity_change : r.quantity_change));
  }
  return out;
}

describe('stock-out backtest: the SPEC §5 risk of every pair-day against the ledger', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let cases: StockoutCase[];

  before(async function () {
    db = await createTestDatabase();
    await generateToPostgres(db.knex, {
      seed: 7,
      skus: 8,
      warehouses: 2,
      days: DAYS,
      to: `${TO}T00:00:00Z`,
      injectAnomalies: 0.5,
    });
    for (let d = PROCESSED; d >= 1; d--) {
      const day = addDays(TO, -d);
      await writeDailySnapshots(db.knex, day);
      await writeProcessedMetrics(db.knex, day);
    }
    cases = await stockoutCases(db.knex);
  });

  after(async function () {
    await db?.drop();
  });

  it('takes every processed pair-day with stock whose lead time lies inside the ledger, and no other', async function () {
    const last = await db.knex('inventory.inventory_transactions').max('occurred_at as at').first();
    const metrics = await db
      .knex('analytics.processed_metrics as m')
      .join('inventory.products as p', 'p.sku', 'm.sku')
      .select(
        'm.sku',
        'm.warehouse_id',
        'p.lead_time_days',
        'm.quantity_on_hand',
        'm.quantity_reserved',
        'm.stockout_risk',
      )
      .select(db.knex.raw(`to_char(m.as_of_date, 'YYYY-MM-DD') AS day`));
    const expected = metrics.filter(
      (m) =>
        m.quantity_on_hand - m.quantity_reserved > 0 &&
        Date.parse(`${addDays(m.day, m.lead_time_days + 1)}T00:00:00Z`) <= last!.at.getTime(),
    );
    expect(metrics.length).to.equal(16 * PROCESSED);
    expect(cases.length).to.equal(expected.length).and.to.be.greaterThan(300);
    const key = (c: { sku: string; warehouse_id: string; day: string }) =>
      `${c.sku}|${c.warehouse_id}|${c.day}`;
    expect(cases.map(key).sort()).to.deep.equal(expected.map(key).sort());
    const risk = new Map(expected.map((m) => [key(m), m.stockout_risk]));
    for (const c of cases) expect(c.predicted).to.equal(risk.get(key(c)));
  });

  it('marks a pair-day as a stock-out exactly when available reached ≤ 0 within (D, D + lead time]', async function () {
    const out = await outDays(db);
    const replayed = cases.map((c) =>
      Array.from({ length: c.lead_time_days }, (_, i) => addDays(c.day, i + 1)).some((d) =>
        out.has(`${c.sku}|${c.warehouse_id}|${d}`),
      ),
    );
    expect(cases.map((c) => c.outcome)).to.deep.equal(replayed);
    const events = cases.filter((c) => c.outcome).length;
    expect(events).to.be.greaterThan(0);
    expect(events).to.be.lessThan(cases.length);
  });

  it('counts every pair-day whose horizon holds the start of a STOCKOUT label as a stock-out', async function () {
    const labels = await db
      .knex('inventory.incident_labels')
      .where({ incident_type: 'STOCKOUT' })
      .select('sku', 'warehouse_id', 'started_at');
    expect(labels.length).to.be.greaterThan(0);
    const byKey = new Map(cases.map((c) => [`${c.sku}|${c.warehouse_id}|${c.day}`, c]));
    let checked = 0;
    for (const c of byKey.values()) {
      const from = Date.parse(`${addDays(c.day, 1)}T00:00:00Z`);
      const to = Date.parse(`${addDays(c.day, c.lead_time_days + 1)}T00:00:00Z`);
      const labelled = labels.some(
        (l) =>
          l.sku === c.sku &&
          l.warehouse_id === c.warehouse_id &&
          l.started_at.getTime() >= from &&
          l.started_at.getTime() < to,
      );
      if (labelled) {
        checked++;
        expect(c.outcome, `${c.sku} ${c.warehouse_id} ${c.day}`).to.equal(true);
      }
    }
    expect(checked).to.be.greaterThan(0);
  });

  it('scores the cases with the pure functions: Brier and baseline in [0, 1]', function () {
    const report = calibrationReport(cases);
    expect(report.cases).to.equal(cases.length);
    expect(report.events).to.equal(cases.filter((c) => c.outcome).length);
    const brier = cases.reduce((s, c) => s + (c.predicted - (c.outcome ? 1 : 0)) ** 2, 0) / cases.length;
    expect(report.stockout_brier).to.be.closeTo(brier, 1e-12).and.within(0, 1);
    expect(report.stockout_brier_baseline)
      .to.be.closeTo(report.base_rate * (1 - report.base_rate), 1e-12)
      .and.within(0, 1);
    expect(report.reliability.reduce((s, b) => s + b.count, 0)).to.equal(cases.length);
  });
});
