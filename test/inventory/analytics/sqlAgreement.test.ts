import { expect } from 'chai';
import { computeMetrics, normalCdf, type Metrics } from '../../../inventory/analytics/index.js';
import {
  readDailySalesMatrix,
  writeDailySnapshots,
  writeProcessedMetrics,
} from '../../../dags/daily_inventory_etl/store/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { addDays, insertTransactions, seedRandomHistory } from '../../dags/fixtures.js';

const D = '2026-03-10';
const FIELDS: Array<keyof Metrics> = [
  'velocity_7d',
  'velocity_30d',
  'volatility',
  'trend',
  'seasonality_index',
  'expected_daily_demand',
  'stockout_risk',
  'safety_stock',
  'reorder_point',
  'days_of_cover',
];

describe('analytics: the SQL and TypeScript definitions agree', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
    await seedRandomHistory(db.knex, { skus: 40, warehouses: 3, days: 45, lastDay: addDays(D, 3), seed: 7 });
    // A sale after D must change neither D's sales nor its end-of-day stock.
    await insertTransactions(db.knex, [
      {
        sku: 'SKU-0001',
        warehouse_id: 'WH-1',
        event_type: 'SALE',
        quantity_change: -9,
        occurred_at: `${addDays(D, 1)}T00:00:00Z`,
      },
    ]);
    await writeDailySnapshots(db.knex, D);
    await writeProcessedMetrics(db.knex, D);
  });
  after(async () => db?.drop());

  it('computes every metric of every pair the same in PostgreSQL and in analytics/', async () => {
    const matrix = await readDailySalesMatrix(db.knex, D);
    const rows = await db.knex.raw(
      `SELECT m.*, p.lead_time_days FROM analytics.processed_metrics m JOIN inventory.products p USING (sku)
       WHERE as_of_date = ?`,
      [D],
    );
    expect(rows.rows).to.have.length(120);
    let risky = 0;
    for (const row of rows.rows) {
      const expected = computeMetrics({
        dailySales: matrix.get(`${row.sku}:${row.warehouse_id}`)!,
        onHand: row.quantity_on_hand,
        reserved: row.quantity_reserved,
        leadTimeDays: row.lead_time_days,
      });
      for (const field of FIELDS) {
        const want = expected[field];
        if (want === null) expect(row[field], `${row.sku} ${row.warehouse_id} ${field}`).to.equal(null);
        else
          expect(row[field], `${row.sku} ${row.warehouse_id} ${field}`).to.be.closeTo(
            want,
            1e-9 * Math.max(1, Math.abs(want)),
          );
      }
      expect(row.reorder_quantity, `${row.sku} ${row.warehouse_id} reorder_quantity`).to.equal(
        expected.reorder_quantity,
      );
      if (expected.stockout_risk > 0 && expected.stockout_risk < 1) risky++;
    }
    expect(risky, 'pairs with a risk strictly between 0 and 1').to.be.greaterThan(10);
  });

  it('evaluates Φ in PostgreSQL exactly as analytics/ does, tails included', async () => {
    const xs = [-40, -37, -36.9, -8, -3.2, -1.96, -0.5, 0, 0.25, 1, 1.6448536269514722, 5, 36.9, 40];
    const { rows } = await db.knex.raw(
      'SELECT x, analytics.normal_cdf(x) AS p FROM unnest(CAST(? AS float8[])) AS x ORDER BY x',
      [`{${xs.join(',')}}`],
    );
    for (const r of rows) expect(r.p, `Φ(${r.x})`).to.be.closeTo(normalCdf(r.x), 1e-15);
  });

  it('takes stock at the end of day D: the level today minus every change after D', async () => {
    const { rows } = await db.knex.raw(
      `SELECT s.quantity_on_hand, s.quantity_reserved,
              l.quantity_on_hand - coalesce((SELECT sum(quantity_change) FROM inventory.inventory_transactions t
                 WHERE t.sku = l.sku AND t.warehouse_id = l.warehouse_id AND t.occurred_at >= ?
                   AND event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')), 0) AS expected_on_hand,
              (SELECT coalesce(sum(quantity_change), 0) FROM inventory.inventory_transactions t
                 WHERE t.sku = l.sku AND t.warehouse_id = l.warehouse_id AND t.occurred_at < ?
                   AND event_type IN ('RESERVATION','RESERVATION_RELEASE')) AS expected_reserved
       FROM analytics.daily_inventory_snapshots s
       JOIN inventory.inventory_levels l USING (sku, warehouse_id) WHERE s.snapshot_date = ?`,
      [`${addDays(D, 1)}T00:00:00Z`, `${addDays(D, 1)}T00:00:00Z`, D],
    );
    expect(rows).to.have.length(120);
    for (const r of rows) {
      expect(r.quantity_on_hand).to.equal(r.expected_on_hand);
      expect(r.quantity_reserved).to.equal(r.expected_reserved);
    }
  });

  it('leaves identical rows, computed_at included, when run again', async () => {
    const before = await db
      .knex('analytics.processed_metrics')
      .where({ as_of_date: D })
      .orderBy(['sku', 'warehouse_id']);
    const snapshots = await db
      .knex('analytics.daily_inventory_snapshots')
      .where({ snapshot_date: D })
      .orderBy(['sku', 'warehouse_id']);
    expect((await writeDailySnapshots(db.knex, D)).changed).to.equal(0);
    expect((await writeProcessedMetrics(db.knex, D)).changed).to.equal(0);
    expect(
      await db.knex('analytics.processed_metrics').where({ as_of_date: D }).orderBy(['sku', 'warehouse_id']),
    ).to.deep.equal(before);
    expect(
      await db
        .knex('analytics.daily_inventory_snapshots')
        .where({ snapshot_date: D })
        .orderBy(['sku', 'warehouse_id']),
    ).to.deep.equal(snapshots);
  });
});
