import type { Knex } from '../../../platform/index.js';
import { dayEnd, utcDate } from '../../analytics/index.js';

/** One pair's SPEC §5 daily sales over a window of whole UTC days, zero days included. */
export interface PairSales {
  sku: string;
  warehouse_id: string;
  lead_time_days: number;
  /** The window's first day (YYYY-MM-DD); sales[i] is day first_day + i. */
  first_day: string;
  sales: number[];
}

/**
 * Daily sales of every pair of `inventory_levels` (of one warehouse with `warehouseId`) over the
 * `days` whole UTC days ending with day `to` (inclusive), in one statement. The window never starts
 * before the ledger's first day, so a young warehouse is not padded with days it did not trade.
 * Only the days with sales travel (as two arrays per pair); the zero days are filled in here.
 * Pairs in (sku, warehouse_id) order.
 */
export async function readDailySales(
  knex: Knex,
  o: { to: string; days: number; warehouseId?: string },
): Promise<PairSales[]> {
  const only = (column: string) => (o.warehouseId === undefined ? 'true' : `${column} = :warehouse`);
  const { rows } = await knex.raw(
    `
    WITH bounds AS (
      SELECT greatest(CAST(:to AS date) - (CAST(:days AS int) - 1),
                      (SELECT ${utcDate('min(occurred_at)')} FROM inventory.inventory_transactions)) AS first_day
    ), sales AS (
      SELECT sku, warehouse_id, ${utcDate('occurred_at')} - (SELECT first_day FROM bounds) AS i,
             -sum(quantity_change)::int AS units
      FROM inventory.inventory_transactions
      WHERE event_type = 'SALE'
        AND occurred_at >= ((SELECT first_day FROM bounds)::timestamp AT TIME ZONE 'UTC')
        AND occurred_at < ${dayEnd('to')} AND ${only('warehouse_id')}
      GROUP BY 1, 2, 3
    ), per_pair AS (
      SELECT sku, warehouse_id, array_agg(i ORDER BY i) AS offsets, array_agg(units ORDER BY i) AS units
      FROM sales GROUP BY 1, 2
    )
    SELECT l.sku, l.warehouse_id, p.lead_time_days, to_char(b.first_day, 'YYYY-MM-DD') AS first_day,
           (CAST(:to AS date) - b.first_day + 1)::int AS n, s.offsets, s.units
    FROM inventory.inventory_levels l
    JOIN inventory.products p ON p.sku = l.sku
    CROSS JOIN bounds b
    LEFT JOIN per_pair s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id
    WHERE ${only('l.warehouse_id')}
    ORDER BY l.sku, l.warehouse_id
    `,
    { to: o.to, days: o.days, warehouse: o.warehouseId ?? null },
  );
  return (
    rows as Array<{
      sku: string;
      warehouse_id: string;
      lead_time_days: number;
      first_day: string;
      n: number;
      offsets: number[] | null;
      units: number[] | null;
    }>
  ).map((r) => {
    const sales = new Array<number>(Math.max(0, r.n)).fill(0);
    r.offsets?.forEach((i, k) => (sales[i] = r.units![k]!));
    return {
      sku: r.sku,
      warehouse_id: r.warehouse_id,
      lead_time_days: r.lead_time_days,
      first_day: r.first_day,
      sales,
    };
  });
}
