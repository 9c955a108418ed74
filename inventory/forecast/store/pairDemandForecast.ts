import type { Knex } from '../../../platform/index.js';
import { utcDate } from '../../analytics/index.js';
import type { ForecastModel } from '../forecastDemand.js';
import type { HoltWintersParams } from '../holtWinters.js';

/** A pair's newest stored forecast: made at the end of as_of_date, for the lead time after it. */
export interface StoredForecast {
  as_of_date: string;
  model: ForecastModel;
  params: HoltWintersParams | null;
  band_level: number;
  training_days: number;
  lead_time_days: number;
  /** Mean and standard deviation of the demand summed over the lead time. */
  lead_time_mean: number;
  lead_time_sigma: number;
  days: Array<{ day: string; mean: number; lower: number; upper: number }>;
}

export interface PairDemandForecast {
  /** SPEC §5 daily sales over `days` days, oldest first, zero days included. */
  sales: Array<{ day: string; units: number }>;
  forecast: StoredForecast | null;
}

/**
 * One pair's newest stored forecast and its daily sales over the `days` days ending with the
 * forecast's as_of_date (without a forecast: ending with the pair's newest ledger day, or today).
 */
export async function pairDemandForecast(
  knex: Knex,
  sku: string,
  warehouseId: string,
  days: number,
): Promise<PairDemandForecast> {
  const { rows } = await knex.raw(
    `SELECT to_char(f.as_of_date, 'YYYY-MM-DD') AS as_of_date, f.model, f.params, f.band_level, f.training_days,
            f.lead_time_days, f.mean AS lead_time_mean, f.sigma AS lead_time_sigma,
            (SELECT coalesce(json_agg(json_build_object('day', to_char(d.target_date, 'YYYY-MM-DD'),
                     'mean', d.mean, 'lower', d.lower, 'upper', d.upper) ORDER BY d.target_date), '[]'::json)
             FROM analytics.demand_forecasts d
             WHERE d.sku = f.sku AND d.warehouse_id = f.warehouse_id AND d.as_of_date = f.as_of_date) AS days
     FROM analytics.lead_time_demand f
     WHERE f.sku = :sku AND f.warehouse_id = :warehouseId
     ORDER BY f.as_of_date DESC LIMIT 1`,
    { sku, warehouseId },
  );
  const forecast = (rows[0] as StoredForecast | undefined) ?? null;
  const { rows: sales } = await knex.raw(
    `WITH last AS (
       SELECT coalesce(CAST(:asOf AS date),
                       (SELECT ${utcDate('max(occurred_at)')} FROM inventory.inventory_transactions
                        WHERE sku = :sku AND warehouse_id = :warehouseId),
                       current_date) AS day
     ), sold AS (
       SELECT ${utcDate('occurred_at')} AS day, -sum(quantity_change)::int AS units
       FROM inventory.inventory_transactions
       WHERE sku = :sku AND warehouse_id = :warehouseId AND event_type = 'SALE'
         AND occurred_at >= ((SELECT day FROM last) - (CAST(:days AS int) - 1))::timestamp AT TIME ZONE 'UTC'
         AND occurred_at < ((SELECT day FROM last) + 1)::timestamp AT TIME ZONE 'UTC'
       GROUP BY 1
     )
     SELECT to_char(g.day, 'YYYY-MM-DD') AS day, coalesce(s.units, 0) AS units
     FROM generate_series((SELECT day FROM last) - (CAST(:days AS int) - 1), (SELECT day FROM last), interval '1 day') AS g(day)
     LEFT JOIN sold s ON s.day = g.day::date
     ORDER BY g.day`,
    { sku, warehouseId, days, asOf: forecast?.as_of_date ?? null },
  );
  return { sales, forecast };
}
