import { expect } from 'chai';
import {
  backtestPair,
  forecastBacktest,
  readDailySales,
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
    expect(text.stdout).to.match(/Holt-Winters \(damped, weekly\)\s+\d\.\d{4}\s+\d+\.\d{2}/);
    expect(text.stdout).to.match(/seasonal naive\s+\d\.\d{4}/);
  });
});
