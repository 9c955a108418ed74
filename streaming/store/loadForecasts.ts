import type { Knex } from 'knex';
import { bind } from '../../db/index.js';

/** A pair's demand forecast for its lead time, as the daily ETL stored it (SPEC §5). */
export interface StoredLeadTimeDemand {
  /** The UTC day (days since 1970-01-01) at whose end the forecast was made. */
  day: number;
  leadTimeDays: number;
  mean: number;
  sigma: number;
  /** Days of sales the forecast was trained on. */
  trainingDays: number;
}

/**
 * For each pair, its newest forecast (`analytics.lead_time_demand`) made on a day in
 * [want − maxAgeDays, want], `want` a UTC day number per pair. One statement for any number of
 * pairs (the table's key is (sku, warehouse_id, as_of_date)); pairs without one are absent from
 * the map (keyed by `pairId`).
 */
export async function loadForecasts(
  db: Knex,
  pairs: ReadonlyArray<{ sku: string; warehouseId: string; want: number }>,
  maxAgeDays: number,
  pairId: (sku: string, warehouseId: string) => string,
): Promise<Map<string, StoredLeadTimeDemand>> {
  const out = new Map<string, StoredLeadTimeDemand>();
  if (pairs.length === 0) return out;
  const { rows } = await db.raw<{
    rows: Array<{
      sku: string;
      warehouse_id: string;
      day: number;
      lead_time_days: number;
      mean: number;
      sigma: number;
      training_days: number;
    }>;
  }>(
    `SELECT p.sku, p.warehouse_id, f.day, f.lead_time_days, f.mean, f.sigma, f.training_days
       FROM unnest(?::text[], ?::text[], ?::int[]) AS p(sku, warehouse_id, want)
       CROSS JOIN LATERAL (
         SELECT (t.as_of_date - DATE '1970-01-01') AS day, t.lead_time_days, t.mean, t.sigma, t.training_days
           FROM analytics.lead_time_demand t
          WHERE t.sku = p.sku AND t.warehouse_id = p.warehouse_id
            AND t.as_of_date <= DATE '1970-01-01' + p.want
            AND t.as_of_date >= DATE '1970-01-01' + (p.want - ?::int)
          ORDER BY t.as_of_date DESC LIMIT 1) f`,
    bind(
      pairs.map((p) => p.sku),
      pairs.map((p) => p.warehouseId),
      pairs.map((p) => p.want),
      maxAgeDays,
    ),
  );
  for (const r of rows)
    out.set(pairId(r.sku, r.warehouse_id), {
      day: r.day,
      leadTimeDays: r.lead_time_days,
      mean: r.mean,
      sigma: r.sigma,
      trainingDays: r.training_days,
    });
  return out;
}
