import type { Knex } from '../../../platform/index.js';
import { dayEnd, utcDate } from '../../../inventory/analytics/index.js';

/**
 * The bare 30-day daily sales matrix for day D: one row per (pair of inventory_levels, day
 * D−29 … D), zero on days without sales. The ETL benchmark times it as its limit; tests read it
 * to compute the metrics in TypeScript.
 */
const MATRIX_SQL = `
  WITH sales AS (
    SELECT sku, warehouse_id, ${utcDate('occurred_at')} AS day, -sum(quantity_change) AS units
    FROM inventory.inventory_transactions
    WHERE event_type = 'SALE'
      AND occurred_at >= ((CAST(:day AS date) - 29)::timestamp AT TIME ZONE 'UTC')
      AND occurred_at < ${dayEnd('day')}
    GROUP BY 1, 2, 3
  )
  SELECT l.sku, l.warehouse_id, g.i, coalesce(s.units, 0)::int AS units
  FROM inventory.inventory_levels l
  CROSS JOIN generate_series(0, 29) AS g(i)
  LEFT JOIN sales s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id
                   AND s.day = CAST(:day AS date) - 29 + g.i`;

/** Runs the matrix query to completion inside PostgreSQL; returns the number of cells. */
export async function countDailySalesMatrix(knex: Knex, day: string): Promise<number> {
  const { rows } = await knex.raw(
    `SELECT count(*)::int AS cells, sum(units) AS units FROM (${MATRIX_SQL}) m`,
    {
      day,
    },
  );
  return rows[0].cells;
}

/** The matrix as `sku:warehouse_id` → 30 daily sales, oldest first. */
export async function readDailySalesMatrix(knex: Knex, day: string): Promise<Map<string, number[]>> {
  const { rows } = await knex.raw(`${MATRIX_SQL} ORDER BY 1, 2, 3`, { day });
  const matrix = new Map<string, number[]>();
  for (const r of rows as Array<{ sku: string; warehouse_id: string; i: number; units: number }>) {
    const key = `${r.sku}:${r.warehouse_id}`;
    let series = matrix.get(key);
    if (!series) matrix.set(key, (series = []));
    series[r.i] = r.units;
  }
  return matrix;
}
