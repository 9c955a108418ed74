import type { Knex } from '../../../platform/index.js';
import type { DemandForecast } from '../forecastDemand.js';

/** One pair's forecast made at the end of a day. */
export interface PairForecast {
  sku: string;
  warehouse_id: string;
  lead_time_days: number;
  forecast: DemandForecast;
}

/** Pairs per statement: bounds the size of the array parameters. */
const CHUNK = 10_000;
/** Stored values are rounded to 1/10,000 unit: the same forecast always stores the same bits. */
const round = (x: number) => Math.round(x * 1e4) / 1e4;
/** A float8[] literal of the rounded values. */
const arrayLiteral = (xs: readonly number[]) => `{${xs.map(round).join(',')}}`;

/**
 * Replaces day D's forecasts (`analytics.lead_time_demand`, as_of_date = D; the per-day view
 * `analytics.demand_forecasts` follows) with `pairs`, in one transaction: a rerun with the same
 * forecasts leaves the same rows. With `warehouseId`, only that warehouse's forecasts of D are
 * replaced. Returns the pairs written, the per-day forecasts they hold and the rows of D replaced.
 */
export async function writeDemandForecasts(
  knex: Knex,
  day: string,
  pairs: readonly PairForecast[],
  options: { warehouseId?: string } = {},
): Promise<{ pairs: number; rows: number; replaced: number }> {
  return knex.transaction(async (trx) => {
    const gone = await trx.raw(
      `DELETE FROM analytics.lead_time_demand WHERE as_of_date = CAST(:day AS date)
         ${options.warehouseId === undefined ? '' : 'AND warehouse_id = :warehouse'}`,
      { day, warehouse: options.warehouseId ?? null },
    );
    for (let start = 0; start < pairs.length; start += CHUNK) {
      const chunk = pairs.slice(start, start + CHUNK);
      await trx.raw(
        `INSERT INTO analytics.lead_time_demand
           (sku, warehouse_id, as_of_date, lead_time_days, mean, sigma, model, params, training_days, band_level,
            daily_mean, daily_lower, daily_upper)
         SELECT sku, warehouse_id, CAST(:day AS date), lead, mean, sigma, model, params, training, level,
                CAST(dm AS float8[]), CAST(dl AS float8[]), CAST(du AS float8[])
         FROM unnest(CAST(:skus AS text[]), CAST(:whs AS text[]), CAST(:leads AS int[]), CAST(:means AS float8[]),
                     CAST(:sigmas AS float8[]), CAST(:models AS text[]), CAST(:params AS jsonb[]),
                     CAST(:training AS int[]), CAST(:levels AS float8[]), CAST(:dm AS text[]), CAST(:dl AS text[]),
                     CAST(:du AS text[]))
           AS s(sku, warehouse_id, lead, mean, sigma, model, params, training, level, dm, dl, du)`,
        {
          day,
          skus: chunk.map((p) => p.sku),
          whs: chunk.map((p) => p.warehouse_id),
          leads: chunk.map((p) => p.forecast.mean.length),
          means: chunk.map((p) => round(p.forecast.leadTime.mean)),
          sigmas: chunk.map((p) => round(p.forecast.leadTime.sigma)),
          models: chunk.map((p) => p.forecast.model),
          params: chunk.map((p) => (p.forecast.params ? JSON.stringify(p.forecast.params) : null)),
          training: chunk.map((p) => p.forecast.trainingDays),
          levels: chunk.map((p) => p.forecast.bandLevel),
          dm: chunk.map((p) => arrayLiteral(p.forecast.mean)),
          dl: chunk.map((p) => arrayLiteral(p.forecast.lower)),
          du: chunk.map((p) => arrayLiteral(p.forecast.upper)),
        },
      );
    }
    return {
      pairs: pairs.length,
      rows: pairs.reduce((sum, p) => sum + p.forecast.mean.length, 0),
      replaced: gone.rowCount ?? 0,
    };
  });
}
