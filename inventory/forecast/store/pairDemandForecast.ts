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

const DAY_MS = 86_400_000;

/**
 * The pair's newest ledger day (YYYY-MM-DD), else today (UTC): where the sales window ends for a
 * pair without a forecast, which only a warehouse the daily ETL has not run for yet shows.
 */
async function newestLedgerDay(knex: Knex, sku: string, warehouseId: string): Promise<string> {
  const { rows } = await knex.raw(
    `SELECT to_char(coalesce(${utcDate('max(occurred_at)')}, current_date), 'YYYY-MM-DD') AS day
     FROM inventory.inventory_transactions WHERE sku = :sku AND warehouse_id = :warehouseId`,
    { sku, warehouseId },
  );
  return rows[0].day;
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
  const last = forecast?.as_of_date ?? (await newestLedgerDay(knex, sku, warehouseId));
  // The window's bounds travel as values, not as subqueries: the planner then prunes the ledger to
  // the partitions of those days and reads them through the pair's index, so the page costs the
  // same whatever the history holds (with the bounds as subquery results every partition was
  // planned and the newest were read through the time index, 0.8 s at 2 years for the busiest pair).
  const firstDay = new Date(Date.parse(`${last}T00:00:00Z`) - (days - 1) * DAY_MS);
  const end = new Date(Date.parse(`${last}T00:00:00Z`) + DAY_MS);
  const { rows: sales } = await knex.raw(
    `WITH sold AS (
       SELECT ${utcDate('occurred_at')} AS day, -sum(quantity_change)::int AS units
       FROM inventory.inventory_transactions
       WHERE sku = :sku AND warehouse_id = :warehouseId AND event_type = 'SALE'
         AND occurred_at >= CAST(:from AS timestamptz) AND occurred_at < CAST(:end AS timestamptz)
       GROUP BY 1
     )
     SELECT to_char(g.day, 'YYYY-MM-DD') AS day, coalesce(s.units, 0) AS units
     FROM generate_series(CAST(:firstDay AS date), CAST(:last AS date), interval '1 day') AS g(day)
     LEFT JOIN sold s ON s.day = g.day::date
     ORDER BY g.day`,
    { sku, warehouseId, from: firstDay, end, firstDay: firstDay.toISOString().slice(0, 10), last },
  );
  return { sales, forecast };
}
