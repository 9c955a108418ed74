import type { Knex } from 'knex';

/** One day of a pair's history: its end-of-day snapshot and that day's computed thresholds. */
export interface PairLevelPoint {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  quantity_available: number;
  units_in: number;
  units_out: number;
  /** From the processed metrics of the same day; null on a day the ETL did not compute them. */
  reorder_point: number | null;
  safety_stock: number | null;
}

/**
 * The pair's daily snapshots over the `days` days ending with its newest snapshot, oldest first:
 * one point per snapshotted day. The window ends at the newest snapshot rather than today, so a
 * warehouse whose daily ETL lags still shows its last weeks (the days are on the chart's axis).
 */
export async function pairLevelHistory(
  knex: Knex,
  sku: string,
  warehouseId: string,
  days: number,
): Promise<PairLevelPoint[]> {
  // The newest day from the pair's index (one entry), then only the window's rows, snapshots and
  // metrics alike, through the pairs' indexes: reading every snapshot of the pair to find its
  // newest read one heap page per day of history (1,131 pages at 2 years), and a join whose
  // metrics side was bounded by the pair alone hashed all of the pair's metrics (1,800 at 5 years).
  const { rows } = await knex.raw(
    `WITH newest AS (
       SELECT max(snapshot_date) AS day FROM analytics.daily_inventory_snapshots
       WHERE sku = :sku AND warehouse_id = :warehouseId
     )
     SELECT to_char(s.snapshot_date, 'YYYY-MM-DD') AS day, s.quantity_on_hand, s.quantity_reserved,
            s.quantity_available, s.units_in, s.units_out, m.reorder_point, m.safety_stock
     FROM analytics.daily_inventory_snapshots s
     LEFT JOIN analytics.processed_metrics m
       ON m.sku = s.sku AND m.warehouse_id = s.warehouse_id AND m.as_of_date = s.snapshot_date
      AND m.as_of_date > (SELECT day FROM newest) - :days::int
     WHERE s.sku = :sku AND s.warehouse_id = :warehouseId
       AND s.snapshot_date > (SELECT day FROM newest) - :days::int
     ORDER BY s.snapshot_date`,
    { sku, warehouseId, days },
  );
  return rows;
}
