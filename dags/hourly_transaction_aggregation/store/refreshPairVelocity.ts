import type { Knex } from '../../../platform/index.js';
import { salesStatsCtes } from '../../../inventory/analytics/index.js';

/**
 * update_velocity_and_trend: for every pair with transactions that occurred or arrived in
 * [start, end), the SPEC §5 velocity, volatility and trend over the 30 rolling 24-hour days
 * ending at `end`, stored in `analytics.pair_velocity`. A row that arrived late for a time before
 * those 30 days changes none of them and is left out, which keeps the lookup to the ledger's
 * partitions of the window. A row only moves forward in time: a
 * backfill of an older hour leaves a newer figure in place. Returns the pairs touched and the rows
 * inserted or updated.
 */
export async function refreshPairVelocity(
  knex: Knex,
  options: { start: Date; end: Date },
): Promise<{ touched: number; updated: number }> {
  const { rows } = await knex.raw(
    `
    WITH touched AS (
      SELECT DISTINCT sku, warehouse_id FROM inventory.inventory_transactions
      WHERE (occurred_at >= :start AND occurred_at < :end)
         OR (ingested_at >= :start AND ingested_at < :end AND occurred_at >= :windowFrom::timestamptz)
    ), ${salesStatsCtes({
      dayIndex: `floor(extract(epoch FROM (occurred_at - :windowFrom::timestamptz)) / 86400)::int`,
      from: `:windowFrom::timestamptz`,
      to: ':end::timestamptz',
      where: '(sku, warehouse_id) IN (SELECT sku, warehouse_id FROM touched)',
    })}, updated AS (
    INSERT INTO analytics.pair_velocity AS v (sku, warehouse_id, as_of, velocity_7d, velocity_30d, volatility, trend)
    SELECT x.sku, x.warehouse_id, :end, coalesce(s.v7, 0), coalesce(s.v30, 0), coalesce(s.volatility, 0),
           coalesce(s.trend, 0)
    FROM touched x
    JOIN inventory.products p ON p.sku = x.sku
    JOIN inventory.warehouses w ON w.warehouse_id = x.warehouse_id
    LEFT JOIN sales_stats s ON s.sku = x.sku AND s.warehouse_id = x.warehouse_id
    ON CONFLICT (sku, warehouse_id) DO UPDATE SET
      as_of = EXCLUDED.as_of, velocity_7d = EXCLUDED.velocity_7d, velocity_30d = EXCLUDED.velocity_30d,
      volatility = EXCLUDED.volatility, trend = EXCLUDED.trend, computed_at = now()
    WHERE EXCLUDED.as_of > v.as_of
       OR (EXCLUDED.as_of = v.as_of AND (v.velocity_7d, v.velocity_30d, v.volatility, v.trend)
           IS DISTINCT FROM (EXCLUDED.velocity_7d, EXCLUDED.velocity_30d, EXCLUDED.volatility, EXCLUDED.trend))
    RETURNING 1
    )
    SELECT (SELECT count(*) FROM touched)::int AS touched, (SELECT count(*) FROM updated)::int AS updated
    `,
    // The window's start as a value (720 hours before end, exact: hours have no calendar), so the
    // ledger is pruned to its months when the statement is planned; as `:end - interval` (only
    // stable) every month of the history was planned, 141 ms at 5 years, and pruned at run time.
    { start: options.start, end: options.end, windowFrom: new Date(options.end.getTime() - 720 * 3_600_000) },
  );
  return rows[0];
}
