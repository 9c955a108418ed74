import type { Knex } from '../../../platform/index.js';
import { utcDate } from '../../analytics/index.js';

/**
 * The days of each pair on which a labelled incident ran (`inventory.incident_labels`, any type),
 * as day indexes from `firstDay` (YYYY-MM-DD), keyed `sku` + NUL + `warehouse_id`: every UTC day
 * from the label's start (or its demand surge's start, `detail.surge_start`, when earlier) to its
 * end; a label without an end (a fault still in the data) covers its start day only, and a
 * warehouse-wide label (an ingestion gap) every pair of its warehouse. Empty without labels.
 */
export async function readIncidentDays(knex: Knex, firstDay: string): Promise<Map<string, Set<number>>> {
  const start = `least(l.started_at, coalesce((l.detail->>'surge_start')::timestamptz, l.started_at))`;
  const { rows } = await knex.raw(
    `
    WITH spans AS (
      SELECT l.sku, l.warehouse_id, ${utcDate(start)} AS first_day,
             ${utcDate('coalesce(l.ended_at, l.started_at)')} AS last_day
      FROM inventory.incident_labels l
    )
    SELECT coalesce(s.sku, lv.sku) AS sku, s.warehouse_id,
           array_agg(DISTINCT d.day::date - CAST(:firstDay AS date)) AS days
    FROM spans s
    LEFT JOIN inventory.inventory_levels lv ON s.sku IS NULL AND lv.warehouse_id = s.warehouse_id
    CROSS JOIN LATERAL generate_series(s.first_day, s.last_day, interval '1 day') AS d(day)
    WHERE coalesce(s.sku, lv.sku) IS NOT NULL
    GROUP BY 1, 2
    `,
    { firstDay },
  );
  const out = new Map<string, Set<number>>();
  for (const r of rows as Array<{ sku: string; warehouse_id: string; days: number[] }>)
    out.set(`${r.sku}\u0000${r.warehouse_id}`, new Set(r.days));
  return out;
}
