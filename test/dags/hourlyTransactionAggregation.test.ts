import { expect } from 'chai';
import { trend } from '../../inventory/analytics/index.js';
import { hourlyTransactionAggregation } from '../../dags/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import {
  at,
  insertProducts,
  insertTransactions,
  insertWarehouses,
  syncLevelsFromLedger,
} from './fixtures.js';
import { createTestServices, runDagLocally, stepLine, type LocalRun, type TestServices } from './harness.js';

// 2026-05-05 is a Tuesday: its week bucket starts on Monday 2026-05-04.
const DAY = '2026-05-05';
const HOUR = { start: at(DAY, 10), end: at(DAY, 11) };

describe('hourly_transaction_aggregation', () => {
  let db: TestDatabase;
  let env: TestServices;
  before(async () => {
    db = await createTestDatabase();
    env = await createTestServices({ databaseUrl: db.url });
    await insertProducts(db.knex, [
      { sku: 'P1', lead_time_days: 3, unit_cost: 10 },
      { sku: 'P2', lead_time_days: 3, unit_cost: 4 },
    ]);
    await insertWarehouses(db.knex, ['W1']);
    const tx = (
      sku: string,
      event_type: string,
      quantity_change: number,
      occurred_at: Date,
      reference_id: string | null,
    ) => ({
      sku,
      warehouse_id: 'W1',
      event_type,
      quantity_change,
      occurred_at,
      reference_id,
      ingested_at: occurred_at,
    });
    await insertTransactions(db.knex, [
      tx('P1', 'RESTOCK', 50, at('2026-05-01', 9), 'PO-0'), // previous week
      tx('P1', 'SALE', -1, at('2026-05-04', 9), 'D'), // Monday: same week, other day
      tx('P1', 'SALE', -5, at(DAY, 8.5), 'C'), // same day, other hour
      tx('P1', 'SALE', -2, at(DAY, 10.1), 'A'),
      tx('P1', 'SALE', -3, at(DAY, 10.2), 'A'),
      tx('P1', 'RESTOCK', 10, at(DAY, 10.3), 'PO-1'),
      tx('P1', 'RESERVATION', 4, at(DAY, 10.4), null),
      tx('P2', 'RESTOCK', 5, at('2026-05-01', 9), 'PO-2'),
      tx('P2', 'SALE', -1, at(DAY, 10.9), 'B'),
      tx('P2', 'SALE', -1, at(DAY, 11), 'E'), // next hour: not in this run
    ]);
    await syncLevelsFromLedger(db.knex);
  });
  after(async () => {
    await env?.close();
    await db?.drop();
  });

  const run = (interval = HOUR) =>
    runDagLocally(hourlyTransactionAggregation, { db: db.knex, ...env }, interval);
  const bucket = (grain: string, start: Date, sku: string) =>
    db
      .knex('analytics.transaction_aggregates')
      .where({ grain, bucket_start: start, sku, warehouse_id: 'W1' })
      .first(
        'units_in',
        'units_out',
        'net_change',
        'transaction_count',
        'sales_units',
        'sales_value',
        'distinct_references',
      );
  const all = () => db.knex('analytics.transaction_aggregates').orderBy(['grain', 'bucket_start', 'sku']);

  let first: LocalRun;
  it('aggregates the hour, its day and its week from the ledger with the known totals', async () => {
    const result = (first = await run());
    expect(result.failed).to.deep.equal({});
    expect(await bucket('hour', HOUR.start, 'P1')).to.deep.equal({
      units_in: 10,
      units_out: 5,
      net_change: 5,
      transaction_count: 4,
      sales_units: 5,
      sales_value: 75, // 5 units at unit price 15
      distinct_references: 2, // A and PO-1; the reservation has none
    });
    expect(await bucket('day', at(DAY), 'P1')).to.deep.include({
      transaction_count: 5,
      sales_units: 10,
      distinct_references: 3,
    });
    expect(await bucket('week', at('2026-05-04'), 'P1')).to.deep.include({
      transaction_count: 6,
      sales_units: 11,
      units_in: 10,
      distinct_references: 4,
    });
    expect(await bucket('hour', HOUR.start, 'P2')).to.deep.include({ sales_units: 1, sales_value: 6 });
    expect(await bucket('hour', at(DAY, 11), 'P2')).to.equal(undefined);
    expect(await db.knex('analytics.transaction_aggregates_staging').count({ n: '*' })).to.deep.equal([
      { n: 0 },
    ]);
  });

  it('logs the hour and, per task, the rows it read and wrote', async () => {
    for (const task of ['aggregate_transactions', 'load_aggregates', 'update_velocity_and_trend'])
      expect(stepLine(first, task, 'interval')).to.include({
        hour: '2026-05-05T10:00Z',
        start: HOUR.start.toISOString(),
      });
    const { rows: byGrain } = await db.knex.raw(
      `SELECT grain, count(*)::int AS n, sum(transaction_count)::int AS tx
       FROM analytics.transaction_aggregates GROUP BY grain`,
    );
    const n = Object.fromEntries(byGrain.map((r: { grain: string; n: number }) => [r.grain, r.n]));
    const hourTx = byGrain.find((r: { grain: string }) => r.grain === 'hour').tx;
    const total = n.hour! + n.day! + n.week!;
    const stage = stepLine(first, 'aggregate_transactions', 'stage');
    expect(stage).to.deep.include({ rows_read: hourTx, rows_written: total, hours: 1, late_hours: 0 });
    expect(stage.staged).to.deep.equal({ hour: n.hour, day: n.day, week: n.week });
    expect(stage.msg).to.match(/^stage: 5 transactions of 1 hour read \(0 late\), \d+ buckets staged/);
    expect(stepLine(first, 'load_aggregates', 'load')).to.include({
      staged: total,
      changed: total,
      deleted: 0,
    });
    const pairs = Number((await db.knex('analytics.pair_velocity').count({ n: '*' }))[0]!.n);
    expect(stepLine(first, 'update_velocity_and_trend', 'velocity')).to.include({
      touched: pairs,
      updated: pairs,
    });
  });

  it('refreshes velocity and trend over the 30 rolling days ending at the interval end', async () => {
    const v = await db.knex('analytics.pair_velocity').where({ sku: 'P1' }).first();
    expect(v.as_of.toISOString()).to.equal(HOUR.end.toISOString());
    // Rolling day 29 (the last 24 h) sold 2 + 3 + 5 = 10, rolling day 28 sold 1.
    const series = [...new Array(28).fill(0), 1, 10];
    expect(v.velocity_7d).to.be.closeTo(11 / 7, 1e-12);
    expect(v.velocity_30d).to.be.closeTo(11 / 30, 1e-12);
    expect(v.trend).to.be.closeTo(trend(series), 1e-12);
  });

  it('leaves identical rows when the hour runs again', async () => {
    const before = await all();
    const velocity = await db.knex('analytics.pair_velocity').orderBy('sku');
    expect((await run()).failed).to.deep.equal({});
    expect(await all()).to.deep.equal(before);
    expect(await db.knex('analytics.pair_velocity').orderBy('sku')).to.deep.equal(velocity);
  });

  it('picks up a late row in the next run it arrives in, and in a rerun of its own hour', async () => {
    // Occurred at 10:30, arrived at 11:20: the 11:00 run re-aggregates hour 10.
    await insertTransactions(db.knex, [
      {
        sku: 'P1',
        warehouse_id: 'W1',
        event_type: 'SALE',
        quantity_change: -4,
        occurred_at: at(DAY, 10.5),
        reference_id: 'LATE',
        ingested_at: at(DAY, 11.33),
      },
    ]);
    const next = await run({ start: at(DAY, 11), end: at(DAY, 12) });
    expect(next.failed).to.deep.equal({});
    expect(stepLine(next, 'aggregate_transactions', 'stage')).to.include({ hours: 2, late_hours: 1 });
    expect(await bucket('hour', HOUR.start, 'P1')).to.deep.include({
      units_out: 9,
      sales_units: 9,
      transaction_count: 5,
      distinct_references: 3,
    });
    expect(await bucket('day', at(DAY), 'P1')).to.deep.include({ sales_units: 14, transaction_count: 6 });
    expect(await bucket('week', at('2026-05-04'), 'P1')).to.deep.include({ sales_units: 15 });
    expect(await bucket('hour', at(DAY, 11), 'P2')).to.deep.include({ sales_units: 1, transaction_count: 1 });

    // Rerunning hour 10 itself gives the same totals.
    const before = await all();
    expect((await run()).failed).to.deep.equal({});
    expect(await all()).to.deep.equal(before);
  });
});
