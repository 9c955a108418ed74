import { expect } from 'chai';
import {
  backtestPair,
  forecastBacktest,
  readDailySales,
  readIncidentDays,
  summariseBacktest,
} from '../../../inventory/forecast/index.js';
import { generateToPostgres } from '../../../inventory/generator/index.js';
import { runCli } from '../../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { addDays } from '../../dags/fixtures.js';

const TO = '2026-03-01';
const DAYS = 120;

describe('forecast backtest over a generated ledger (wareflow eval forecast)', function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async function () {
    db = await createTestDatabase();
    await generateToPostgres(db.knex, { seed: 5, skus: 6, warehouses: 2, days: DAYS, to: `${TO}T00:00:00Z` });
  });
  after(async function () {
    await db?.drop();
  });

  it('reads the daily sales of every pair, zero days included, in agreement with the ledger', async function () {
    const pairs = await readDailySales(db.knex, { to: addDays(TO, -1), days: 100_000 });
    expect(pairs).to.have.length(12);
    const { rows } = await db.knex.raw(
      `SELECT sku, warehouse_id, -sum(quantity_change)::int AS units FROM inventory.inventory_transactions
       WHERE event_type = 'SALE' AND occurred_at < ? GROUP BY 1, 2`,
      [`${TO}T00:00:00Z`],
    );
    for (const p of pairs) {
      expect(p.first_day).to.equal(addDays(TO, -DAYS));
      expect(p.sales).to.have.length(DAYS);
      const total = rows.find((r: any) => r.sku === p.sku && r.warehouse_id === p.warehouse_id)?.units ?? 0;
      expect(
        p.sales.reduce((a, b) => a + b, 0),
        `${p.sku}@${p.warehouse_id}`,
      ).to.equal(total);
    }
  });

  it('scores Holt-Winters and seasonal naive on the same origins, better than the baseline', async function () {
    const report = await forecastBacktest(db.knex);
    const pairs = await readDailySales(db.knex, { to: report.to!, days: 100_000 });
    const expected = summariseBacktest(pairs.map((p) => backtestPair(p.sales, p.lead_time_days)));
    expect(report).to.deep.include(expected);
    // The newest transaction falls on TO − 1; the day it falls on counts as still running.
    expect(report.to).to.equal(addDays(TO, -2));
    // Origins 56, 63, … while origin + L ≤ n, per pair.
    const n = pairs[0]!.sales.length;
    expect(report.origins).to.equal(
      pairs.reduce((s, p) => s + Math.floor((n - p.lead_time_days - 56) / 7) + 1, 0),
    );
    expect(report.forecast_mase!).to.be.below(report.baseline_mase!);
    expect(report.forecast_mase!).to.be.below(1);
  });

  it('prints the same figures as one JSON document with --json', async function () {
    const run = await runCli(['eval', 'forecast', '--json'], { DATABASE_URL: db.url });
    expect(run.code, run.stderr).to.equal(0);
    const printed = JSON.parse(run.stdout);
    const { ms_per_origin: _ms, ...report } = await forecastBacktest(db.knex);
    expect(printed).to.deep.include(report);
    for (const key of ['forecast_mase', 'forecast_smape', 'baseline_smape', 'pairs', 'origins'])
      expect(printed[key], key).to.be.a('number');
    const text = await runCli(['eval', 'forecast'], { DATABASE_URL: db.url });
    expect(text.stdout).to.match(/Holt-Winters \(damped, weekly\)\s+scored\s+\d\.\d{4}\s+\d+\.\d{2}/);
    expect(text.stdout).to.match(/seasonal naive\s+all days\s+\d\.\d{4}/);
    expect(text.stdout).to.match(/0 labelled incident days left out/);
  });
});

describe('forecast backtest over a labelled ledger: incident days left out, all days beside', function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async function () {
    db = await createTestDatabase();
    await generateToPostgres(db.knex, {
      seed: 5,
      skus: 6,
      warehouses: 2,
      days: DAYS,
      to: `${TO}T00:00:00Z`,
      injectAnomalies: 1,
    });
  });
  after(async function () {
    await db?.drop();
  });

  it("reads each pair's incident days: every UTC day from a label's start (or its surge's) to its end", async function () {
    const first = addDays(TO, -DAYS);
    const days = await readIncidentDays(db.knex, first);
    const { rows: labels } = await db.knex.raw(
      `SELECT l.sku, l.warehouse_id, l.started_at, l.ended_at, l.detail->>'surge_start' AS surge_start
       FROM inventory.incident_labels l`,
    );
    expect(labels.length).to.be.greaterThan(20);
    const index = (at: Date | string) =>
      Math.floor((Date.parse(`${new Date(at).toISOString()}`) - Date.parse(first)) / 86_400_000);
    const { rows: pairs } = await db.knex.raw('SELECT sku, warehouse_id FROM inventory.inventory_levels');
    for (const l of labels) {
      const start = Math.min(index(l.started_at), l.surge_start ? index(l.surge_start) : Infinity);
      const end = index(l.ended_at ?? l.started_at);
      const places = l.sku === null ? pairs.filter((p: any) => p.warehouse_id === l.warehouse_id) : [l];
      for (const p of places)
        for (let d = start; d <= end; d++)
          expect(
            days.get(`${p.sku}\u0000${p.warehouse_id}`)?.has(d),
            `${p.sku}@${p.warehouse_id} day ${d}`,
          ).to.equal(true);
    }
    const total = [...days.values()].reduce((s, set) => s + set.size, 0);
    expect(total, 'no day without a label').to.be.at.most(
      labels.reduce((s: number, l: any) => {
        const span =
          index(l.ended_at ?? l.started_at) -
          Math.min(index(l.started_at), l.surge_start ? index(l.surge_start) : Infinity) +
          1;
        return (
          s + span * (l.sku === null ? pairs.filter((p: any) => p.warehouse_id === l.warehouse_id).length : 1)
        );
      }, 0),
    );
  });

  it('scores under the rule without the incident days, and over all days exactly as before', async function () {
    const report = await forecastBacktest(db.knex);
    const pairs = await readDailySales(db.knex, { to: report.to!, days: 100_000 });
    const incidents = await readIncidentDays(db.knex, pairs[0]!.first_day);
    const ruled = summariseBacktest(
      pairs.map((p) =>
        backtestPair(p.sales, p.lead_time_days, {
          incidentDays: incidents.get(`${p.sku}\u0000${p.warehouse_id}`),
        }),
      ),
    );
    const plain = summariseBacktest(pairs.map((p) => backtestPair(p.sales, p.lead_time_days)));
    expect(report).to.deep.include(ruled);
    expect(report.incident_days).to.be.greaterThan(0);
    expect(report.days + report.incident_days).to.equal(report.all_days.days);
    const { all_days: _a, incident_days: _i, pairs: _p, origins: _o, ...scores } = plain;
    expect(report.all_days, 'all days: the figures of the backtest without labels').to.deep.equal(scores);
  });
});
