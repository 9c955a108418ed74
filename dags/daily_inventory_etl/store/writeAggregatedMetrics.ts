import type { Knex } from '../../../platform/index.js';

/**
 * Rolls up day D's processed metrics (and the snapshot's inventory value) per warehouse, per
 * category and in total, into `analytics.aggregated_metrics`. Sums go through `numeric` so the
 * result does not depend on row order and a rerun leaves rows (computed_at included) untouched.
 * Returns, from the same statement, the metric rows read, the roll-up rows of D, the rows
 * inserted or changed and the rows deleted.
 */
export async function writeAggregatedMetrics(
  knex: Knex,
  day: string,
): Promise<{ pairs: number; rows: number; changed: number; deleted: number }> {
  const { rows } = await knex.raw(
    `
    WITH base AS (
      SELECT m.sku, m.warehouse_id, p.category, m.quantity_on_hand,
             m.quantity_on_hand - m.quantity_reserved AS available,
             s.inventory_value, m.velocity_30d::numeric AS velocity_30d, m.stockout_risk,
             m.reorder_quantity, m.days_of_cover
      FROM analytics.processed_metrics m
      JOIN inventory.products p ON p.sku = m.sku
      JOIN analytics.daily_inventory_snapshots s
        ON s.snapshot_date = m.as_of_date AND s.sku = m.sku AND s.warehouse_id = m.warehouse_id
      WHERE m.as_of_date = CAST(:day AS date)
    ), src AS (
      SELECT CASE WHEN grouping(warehouse_id) = 0 THEN 'warehouse'
                  WHEN grouping(category) = 0 THEN 'category' ELSE 'total' END AS dimension,
             coalesce(warehouse_id, category, 'all') AS dimension_value,
             count(*)::int AS pair_count,
             sum(quantity_on_hand)::bigint AS quantity_on_hand,
             sum(available)::bigint AS quantity_available,
             sum(inventory_value) AS inventory_value,
             round(sum(velocity_30d) * 30, 6)::float8 AS units_sold_30d,
             round(avg(velocity_30d), 9)::float8 AS avg_velocity_30d,
             (count(*) FILTER (WHERE stockout_risk >= 0.2))::int AS pairs_at_risk,
             (count(*) FILTER (WHERE available <= 0))::int AS pairs_out_of_stock,
             sum(reorder_quantity)::bigint AS reorder_units,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY days_of_cover) AS median_days_of_cover
      FROM base
      GROUP BY GROUPING SETS ((), (warehouse_id), (category))
      -- The empty grouping set yields a row even when D has no metrics; skip it then.
      HAVING count(*) > 0
    ), stale AS (
      DELETE FROM analytics.aggregated_metrics t
      WHERE t.as_of_date = CAST(:day AS date)
        AND NOT EXISTS (SELECT 1 FROM src WHERE src.dimension = t.dimension AND src.dimension_value = t.dimension_value)
      RETURNING 1
    ), upserted AS (
    INSERT INTO analytics.aggregated_metrics AS t
      (as_of_date, dimension, dimension_value, pair_count, quantity_on_hand, quantity_available, inventory_value,
       units_sold_30d, avg_velocity_30d, pairs_at_risk, pairs_out_of_stock, reorder_units, median_days_of_cover)
    SELECT CAST(:day AS date), dimension, dimension_value, pair_count, quantity_on_hand, quantity_available,
           inventory_value, units_sold_30d, avg_velocity_30d, pairs_at_risk, pairs_out_of_stock, reorder_units,
           median_days_of_cover
    FROM src
    ON CONFLICT (as_of_date, dimension, dimension_value) DO UPDATE SET
      pair_count = EXCLUDED.pair_count, quantity_on_hand = EXCLUDED.quantity_on_hand,
      quantity_available = EXCLUDED.quantity_available, inventory_value = EXCLUDED.inventory_value,
      units_sold_30d = EXCLUDED.units_sold_30d, avg_velocity_30d = EXCLUDED.avg_velocity_30d,
      pairs_at_risk = EXCLUDED.pairs_at_risk, pairs_out_of_stock = EXCLUDED.pairs_out_of_stock,
      reorder_units = EXCLUDED.reorder_units, median_days_of_cover = EXCLUDED.median_days_of_cover,
      computed_at = now()
    WHERE (t.pair_count, t.quantity_on_hand, t.quantity_available, t.inventory_value, t.units_sold_30d,
           t.avg_velocity_30d, t.pairs_at_risk, t.pairs_out_of_stock, t.reorder_units, t.median_days_of_cover)
      IS DISTINCT FROM (EXCLUDED.pair_count, EXCLUDED.quantity_on_hand, EXCLUDED.quantity_available,
           EXCLUDED.inventory_value, EXCLUDED.units_sold_30d, EXCLUDED.avg_velocity_30d, EXCLUDED.pairs_at_risk,
           EXCLUDED.pairs_out_of_stock, EXCLUDED.reorder_units, EXCLUDED.median_days_of_cover)
    RETURNING 1
    )
    -- Every src row is stored (inserted, updated or already equal) and no other row of D is left.
    SELECT coalesce((SELECT pair_count FROM src WHERE dimension = 'total'), 0)::int AS pairs,
           (SELECT count(*) FROM src)::int AS rows, (SELECT count(*) FROM upserted)::int AS changed,
           (SELECT count(*) FROM stale)::int AS deleted
    `,
    { day },
  );
  return rows[0];
}
