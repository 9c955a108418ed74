import type { Knex } from '../../../platform/index.js';

/**
 * The warehouses the transform of day D runs for, in order: those snapshotted on D, and those
 * that still have metrics or forecasts of D from an earlier run (their transform deletes them).
 */
export async function dayWarehouses(knex: Knex, day: string): Promise<string[]> {
  const { rows } = await knex.raw(
    `SELECT warehouse_id FROM analytics.daily_inventory_snapshots WHERE snapshot_date = CAST(:day AS date)
     UNION
     SELECT warehouse_id FROM analytics.processed_metrics WHERE as_of_date = CAST(:day AS date)
     UNION
     SELECT warehouse_id FROM analytics.lead_time_demand WHERE as_of_date = CAST(:day AS date)
     ORDER BY 1`,
    { day },
  );
  return rows.map((r: { warehouse_id: string }) => r.warehouse_id);
}
