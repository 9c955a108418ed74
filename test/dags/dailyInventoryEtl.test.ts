import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import { stat } from 'node:fs/promises';
import { archivePath, dailyInventoryEtl, DataQualityGateError, metricsCacheKey } from '../../dags/index.js';
import { stockoutProbability, Z_95 } from '../../inventory/analytics/index.js';
import { forecastDemand, TRAINING_DAYS } from '../../inventory/forecast/index.js';
import { writeProcessedMetrics } from '../../dags/daily_inventory_etl/store/index.js';
import { writeDayForecasts } from '../../dags/daily_inventory_etl/demandForecast.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { addDays, at, insertTransactions, seedRandomHistory } from './fixtures.js';
import { createTestServices, runDagLocally, stepLine, type LocalRun, type TestServices } from './harness.js';

const D = '2026-04-14';
const interval = { start: at(D, 2), end: at(addDays(D, 1), 2) };

describe('daily_inventory_etl', () => {
  let db: TestDatabase;
  let env: TestServices;
  before(async () => {
    db = await createTestDatabase();
    env = await createTestServices({ databaseUrl: db.url });
    await seedRandomHistory(db.knex, { skus: 30, warehouses: 2, days: 40, lastDay: addDays(D, 2), seed: 11 });
  });
  after(async () => {
    await env?.close();
    await db?.drop();
  });

  const run = () => runDagLocally(dailyInventoryEtl, { db: db.knex, ...env }, interval);
  const table = (name: string, where: Record<string, string>) =>
    db.knex(name).where(where).orderByRaw('1, 2, 3');

  let first: LocalRun;
  it('writes snapshots, metrics for as_of_date = D and the roll-up, and passes its gate', async () => {
    const result = (first = await run());
    expect(result.failed).to.deep.equal({});
    expect(Object.keys(result.outputs)).to.have.members([
      'extract_inventory_data',
      'list_warehouses',
      'transform_warehouse',
      'transform_and_load',
      'generate_aggregated_metrics',
      'data_quality_check',
      'load_fulfilment_metrics',
    ]);
    // One transform per warehouse, whose pairs add up to the day's.
    const warehouses = result.outputs.list_warehouses as string[];
    expect(warehouses).to.have.length(2);
    const transforms = result.outputs.transform_warehouse as Array<{ warehouse_id: string; pairs: number }>;
    expect(transforms.map((t) => t.warehouse_id)).to.deep.equal(warehouses);
    expect(transforms.map((t) => t.pairs)).to.deep.equal([30, 30]);
    const counts = await db.knex.raw(
      `SELECT (SELECT count(*) FROM analytics.daily_inventory_snapshots WHERE snapshot_date = :d) AS snapshots,
              (SELECT count(*) FROM analytics.processed_metrics WHERE as_of_date = :d) AS metrics,
              (SELECT count(*) FROM analytics.processed_metrics WHERE as_of_date <> :d) AS other_days,
              (SELECT pair_count FROM analytics.aggregated_metrics WHERE as_of_date = :d AND dimension = 'total') AS total_pairs,
              (SELECT count(*) FROM analytics.aggregated_metrics WHERE as_of_date = :d AND dimension = 'warehouse') AS warehouses,
              (SELECT count(*) FROM analytics.aggregated_metrics WHERE as_of_date = :d AND dimension = 'category') AS categories`,
      { d: D },
    );
    expect(counts.rows[0]).to.deep.equal({
      snapshots: 60,
      metrics: 60,
      other_days: 0,
      total_pairs: 60,
      warehouses: 2,
      categories: 4,
    });
    const totals = await db.knex.raw(
      `SELECT sum(quantity_on_hand)::int AS on_hand, count(*) FILTER (WHERE stockout_risk >= 0.2)::int AS at_risk,
              sum(reorder_quantity)::int AS reorder FROM analytics.processed_metrics WHERE as_of_date = ?`,
      [D],
    );
    const total = await db
      .knex('analytics.aggregated_metrics')
      .where({ as_of_date: D, dimension: 'total' })
      .first();
    expect(total.quantity_on_hand).to.equal(totals.rows[0].on_hand);
    expect(total.pairs_at_risk).to.equal(totals.rows[0].at_risk);
    expect(total.reorder_units).to.equal(totals.rows[0].reorder);
    expect(result.outputs.data_quality_check).to.include({ day: D });
  });

  it('logs, for every task, day D and the rows each step read and wrote', async () => {
    const q = await db.knex.raw(
      `SELECT (SELECT count(*) FROM analytics.daily_inventory_snapshots WHERE snapshot_date = :d)::int AS snapshots,
              (SELECT sum(transaction_count) FROM analytics.daily_inventory_snapshots WHERE snapshot_date = :d)::int AS tx,
              (SELECT count(*) FROM analytics.processed_metrics WHERE as_of_date = :d)::int AS metrics,
              (SELECT count(*) FROM analytics.aggregated_metrics WHERE as_of_date = :d)::int AS rollup`,
      { d: D },
    );
    const counts = q.rows[0];
    // Every task, and every instance of the mapped transform (`transform_warehouse[i]`).
    expect(Object.keys(first.logs)).to.include.members(['transform_warehouse[0]', 'transform_warehouse[1]']);
    for (const task of Object.keys(first.logs))
      expect(stepLine(first, task, 'interval')).to.include({ day: D });
    const snapshots = stepLine(first, 'extract_inventory_data', 'snapshots');
    expect(snapshots).to.include({
      pairs: counts.snapshots,
      changed: counts.snapshots,
      transactions: counts.tx,
    });
    expect(snapshots.msg).to.match(new RegExp(`^snapshots: ${counts.snapshots} pairs written for ${D}`));
    expect(snapshots.ms).to.be.a('number');

    expect(stepLine(first, 'transform_and_load', 'processed metrics')).to.include({
      pairs: counts.metrics,
      changed: counts.metrics,
    });
    const file = archivePath(env.dataDir, D);
    const parquetLine = stepLine(first, 'transform_and_load', 'parquet');
    expect(parquetLine).to.include({
      path: file,
      rows_written: counts.metrics,
      bytes: (await stat(file)).size,
    });
    expect(stepLine(first, 'transform_and_load', 'cache')).to.include({
      refreshed: true,
      rows_written: counts.metrics,
    });

    expect(stepLine(first, 'generate_aggregated_metrics', 'roll-up')).to.include({
      rows: counts.rollup,
      pairs: counts.metrics,
    });

    const results = await db
      .knex('analytics.data_quality_results')
      .where({ check_run_key: `daily_inventory_etl:${D}` });
    const rules = first.logs.data_quality_check!.filter((l) => l.step === 'rule');
    expect(rules.map((l) => [l.rule, l.passed, l.failing])).to.have.deep.members(
      results.map((r) => [r.rule_id, r.passed, r.failing_count]),
    );
    const runRow = await db
      .knex('analytics.data_quality_runs')
      .where({ check_run_key: `daily_inventory_etl:${D}` })
      .first();
    expect(stepLine(first, 'data_quality_check', 'score')).to.include({
      score: runRow.score,
      rules_checked: results.length,
    });
  });

  it('stores the demand forecast of every pair over its lead time, as forecastDemand makes it from the ledger', async () => {
    // Daily sales replayed in TypeScript from the ledger: the TRAINING_DAYS days up to D, from
    // the ledger's first day at the earliest.
    const { rows: bounds } = await db.knex.raw(
      'SELECT min(occurred_at) AS at FROM inventory.inventory_transactions',
    );
    const ledgerStart: Date = bounds[0].at;
    const firstDay = [addDays(D, 1 - TRAINING_DAYS), ledgerStart.toISOString().slice(0, 10)].sort()[1]!;
    const n = (Date.parse(D) - Date.parse(firstDay)) / 86_400_000 + 1;
    const sales = new Map<string, number[]>();
    const sold = await db
      .knex('inventory.inventory_transactions')
      .where({ event_type: 'SALE' })
      .andWhere('occurred_at', '>=', at(firstDay, 0))
      .andWhere('occurred_at', '<', at(addDays(D, 1), 0))
      .select('sku', 'warehouse_id', 'quantity_change', 'occurred_at');
    for (const t of sold) {
      const key = `${t.sku}|${t.warehouse_id}`;
      if (!sales.has(key)) sales.set(key, new Array(n).fill(0));
      const i = (Date.parse(t.occurred_at.toISOString().slice(0, 10)) - Date.parse(firstDay)) / 86_400_000;
      sales.get(key)![i]! -= t.quantity_change;
    }
    const leadTimes = new Map(
      (await db.knex('inventory.products').select('sku', 'lead_time_days')).map((p) => [
        p.sku,
        p.lead_time_days,
      ]),
    );
    const fits = await db
      .knex('analytics.lead_time_demand')
      .where({ as_of_date: D })
      .orderBy(['sku', 'warehouse_id']);
    expect(fits).to.have.length(60);
    expect(fits.filter((f) => f.model === 'holt_winters')).to.have.length.greaterThan(30);
    for (const f of fits) {
      const lead = leadTimes.get(f.sku)!;
      const expected = forecastDemand(sales.get(`${f.sku}|${f.warehouse_id}`) ?? new Array(n).fill(0), lead);
      const label = `${f.sku}@${f.warehouse_id}`;
      expect(f, label).to.include({
        lead_time_days: lead,
        model: expected.model,
        training_days: n,
        band_level: 0.8,
      });
      expect(f.params, label).to.deep.equal(expected.params);
      expect(f.mean, label).to.be.closeTo(expected.leadTime.mean, 1e-4);
      expect(f.sigma, label).to.be.closeTo(expected.leadTime.sigma, 1e-4);
      const daily = await db
        .knex('analytics.demand_forecasts')
        .where({ sku: f.sku, warehouse_id: f.warehouse_id, as_of_date: D })
        .orderBy('target_date');
      expect(
        daily.map((r) => r.target_date),
        label,
      ).to.deep.equal(Array.from({ length: lead }, (_, h) => addDays(D, h + 1)));
      daily.forEach((r, h) => {
        expect(r.mean).to.be.closeTo(expected.mean[h]!, 1e-4);
        expect(r.lower).to.be.closeTo(expected.lower[h]!, 1e-4);
        expect(r.upper).to.be.closeTo(expected.upper[h]!, 1e-4);
      });
    }
    const line = stepLine(first, 'transform_and_load', 'forecast');
    expect(line).to.include({ pairs: 60, rows_read: 60, replaced: 0 });
    expect(line.rows).to.equal(
      await db
        .knex('analytics.demand_forecasts')
        .where({ as_of_date: D })
        .count()
        .first()
        .then((r) => Number(r!.count)),
    );
    expect(line.fit_us_per_pair).to.be.a('number');
  });

  it("plans D's safety stock, reorder point and quantity and its stock-out probability on D's forecast", async () => {
    const rows = await db.knex.raw(
      `SELECT m.*, f.mean AS f_mean, f.sigma AS f_sigma, p.lead_time_days
       FROM analytics.processed_metrics m
       JOIN analytics.lead_time_demand f USING (sku, warehouse_id, as_of_date)
       JOIN inventory.products p USING (sku)
       WHERE m.as_of_date = ?`,
      [D],
    );
    expect(rows.rows).to.have.length(60);
    for (const r of rows.rows) {
      const label = `${r.sku}@${r.warehouse_id}`;
      expect(r.lead_time_demand_mean, label).to.equal(r.f_mean);
      expect(r.lead_time_demand_sigma, label).to.equal(r.f_sigma);
      expect(r.safety_stock, label).to.be.closeTo(Z_95 * r.f_sigma, 1e-9);
      expect(r.reorder_point, label).to.be.closeTo(r.f_mean + Z_95 * r.f_sigma, 1e-9);
      const available = r.quantity_on_hand - r.quantity_reserved;
      expect(r.reorder_quantity, label).to.equal(
        Math.max(0, Math.ceil(r.f_mean + Z_95 * r.f_sigma + 7 * (r.f_mean / r.lead_time_days) - available)),
      );
      const probability = stockoutProbability(
        {
          available,
          onOrder: r.quantity_on_order,
          daysToNextReceipt: null,
          leadTimeDays: r.lead_time_days,
        },
        { mean: r.f_mean, sigma: r.f_sigma },
      );
      // Nothing is on order in this history: the probability is the model's on the forecast.
      expect(r.quantity_on_order, label).to.equal(0);
      expect(r.stockout_probability, label).to.be.closeTo(probability, 1e-9);
    }
  });

  it('archives the metrics to Parquet that DuckDB reads back with equal values', async () => {
    const file = archivePath(env.dataDir, D);
    expect(file).to.match(/archive\/processed_metrics\/date=2026-04-14\/part-0\.parquet$/);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT sku, warehouse_id, strftime(as_of_date, '%Y-%m-%d') AS as_of_date, quantity_on_hand, quantity_reserved,
                velocity_7d, velocity_30d, volatility, trend, seasonality_index, expected_daily_demand, stockout_risk,
                days_of_cover, safety_stock, reorder_point, reorder_quantity
         FROM read_parquet('${file}', hive_partitioning = false) ORDER BY sku, warehouse_id`,
      );
      const archived = reader.getRowObjectsJS();
      const stored = await db
        .knex('analytics.processed_metrics')
        .where({ as_of_date: D })
        .orderBy(['sku', 'warehouse_id'])
        .select(Object.keys(archived[0]!));
      expect(archived).to.deep.equal(stored);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('caches every pair under metrics:{sku}:{warehouse_id} for one hour', async () => {
    const rows = await db.knex('analytics.processed_metrics').where({ as_of_date: D });
    for (const row of rows.slice(0, 10)) {
      const key = metricsCacheKey(row.sku, row.warehouse_id);
      const cached = JSON.parse((await env.services.redis.get(key))!);
      expect(cached.stockout_risk).to.equal(row.stockout_risk);
      expect(cached.reorder_quantity).to.equal(row.reorder_quantity);
      const ttl = await env.services.redis.ttl(key);
      expect(ttl).to.be.within(3500, 3600);
    }
  });

  it('leaves identical rows when the same day runs again', async () => {
    const before = {
      snapshots: await table('analytics.daily_inventory_snapshots', { snapshot_date: D }),
      metrics: await table('analytics.processed_metrics', { as_of_date: D }),
      aggregated: await table('analytics.aggregated_metrics', { as_of_date: D }),
      quality: await db.knex('analytics.data_quality_results').orderBy('rule_id'),
      leadTimeDemand: await table('analytics.lead_time_demand', { as_of_date: D }),
      forecasts: await db.knex('analytics.demand_forecasts').where({ as_of_date: D }).orderByRaw('1, 2, 4'),
    };
    const again = await run();
    expect(again.failed).to.deep.equal({});
    expect(await table('analytics.daily_inventory_snapshots', { snapshot_date: D })).to.deep.equal(
      before.snapshots,
    );
    expect(await table('analytics.processed_metrics', { as_of_date: D })).to.deep.equal(before.metrics);
    expect(await table('analytics.aggregated_metrics', { as_of_date: D })).to.deep.equal(before.aggregated);
    expect(await db.knex('analytics.data_quality_results').orderBy('rule_id')).to.deep.equal(before.quality);
    expect(await table('analytics.lead_time_demand', { as_of_date: D })).to.deep.equal(before.leadTimeDemand);
    expect(
      await db.knex('analytics.demand_forecasts').where({ as_of_date: D }).orderByRaw('1, 2, 4'),
    ).to.deep.equal(before.forecasts);
    expect(before.forecasts.length).to.be.greaterThan(60);
    expect(stepLine(again, 'transform_and_load', 'forecast')).to.include({
      replaced: before.leadTimeDemand.length,
      rows: before.forecasts.length,
    });
  });

  it('writes, one transform per warehouse, the rows of one statement over every pair', async () => {
    const forecasts = () => table('analytics.lead_time_demand', { as_of_date: D });
    const perWarehouse = await forecasts();
    // Unchanged rows are not rewritten: every row the warehouses wrote is the one the whole day gives.
    expect(await writeProcessedMetrics(db.knex, D)).to.deep.equal({ pairs: 60, changed: 0, deleted: 0 });
    expect(await writeDayForecasts(db.knex, D)).to.include({ pairs: 60, replaced: 60 });
    expect(await forecasts()).to.deep.equal(perWarehouse);
  });

  it('fails its gate when day D holds a duplicated transaction, and still loads the metrics', async () => {
    const original = await db
      .knex('inventory.inventory_transactions')
      .where('occurred_at', '>=', at(D, 0))
      .andWhere('occurred_at', '<', at(D, 24))
      .andWhere({ event_type: 'SALE' })
      .first();
    const { event_id: _id, ingested_at: _at, ...copy } = original;
    await insertTransactions(db.knex, [copy]);
    const result = await run();
    expect(Object.keys(result.failed)).to.deep.equal(['data_quality_check']);
    expect(result.failed.data_quality_check).to.be.instanceOf(DataQualityGateError);
    expect(result.failed.data_quality_check!.message).to.match(/duplicate_transactions \(1 rows\)/);
    expect(result.outputs).to.have.property('generate_aggregated_metrics');
  });
});
