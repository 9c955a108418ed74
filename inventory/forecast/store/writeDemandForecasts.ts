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
const CHUNK = 5_000;
/** Stored values are rounded to 1/10,000 unit: the same forecast always stores the same bits. */
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Replaces day D's forecasts (`analytics.lead_time_demand` and `analytics.demand_forecasts`,
 * as_of_date = D) with `pairs`, in one transaction: a rerun with the same forecasts leaves the same
 * rows. Per-day rows are expanded in SQL from flat arrays (one element per pair-day), so a pair's
 * key travels once. Returns the pairs and per-day rows written and the rows of D replaced.
 */
export async function writeDemandForecasts(
  knex: Knex,
  day: string,
  pairs: readonly PairForecast[],
): Promise<{ pairs: number; rows: number; replaced: number }> {
  return knex.transaction(async (trx) => {
    const { rows: gone } = await trx.raw(
      `WITH a AS (DELETE FROM analytics.demand_forecasts WHERE as_of_date = CAST(:day AS date) RETURNING 1),
            b AS (DELETE FROM analytics.lead_time_demand WHERE as_of_date = CAST(:day AS date) RETURNING 1)
       SELECT (SELECT count(*) FROM a)::int + (SELECT count(*) FROM b)::int AS replaced`,
      { day },
    );
    let rows = 0;
    for (let start = 0; start < pairs.length; start += CHUNK) {
      const chunk = pairs.slice(start, start + CHUNK);
      const offsets: number[] = [];
      const means: number[] = [];
      const lowers: number[] = [];
      const uppers: number[] = [];
      for (const p of chunk) {
        offsets.push(means.length);
        for (let h = 0; h < p.forecast.mean.length; h++) {
          means.push(round(p.forecast.mean[h]!));
          lowers.push(round(p.forecast.lower[h]!));
          uppers.push(round(p.forecast.upper[h]!));
        }
      }
      const keys = {
        day,
        skus: chunk.map((p) => p.sku),
        whs: chunk.map((p) => p.warehouse_id),
      };
      await trx.raw(
        `INSERT INTO analytics.lead_time_demand
           (sku, warehouse_id, as_of_date, lead_time_days, mean, sigma, model, params, training_days, band_level)
         SELECT sku, warehouse_id, CAST(:day AS date), lead, mean, sigma, model, params, training, level
         FROM unnest(CAST(:skus AS text[]), CAST(:whs AS text[]), CAST(:leads AS int[]), CAST(:means AS float8[]),
                     CAST(:sigmas AS float8[]), CAST(:models AS text[]), CAST(:params AS jsonb[]),
                     CAST(:training AS int[]), CAST(:levels AS float8[]))
           AS s(sku, warehouse_id, lead, mean, sigma, model, params, training, level)`,
        {
          ...keys,
          leads: chunk.map((p) => p.lead_time_days),
          means: chunk.map((p) => round(p.forecast.leadTime.mean)),
          sigmas: chunk.map((p) => round(p.forecast.leadTime.sigma)),
          models: chunk.map((p) => p.forecast.model),
          params: chunk.map((p) => (p.forecast.params ? JSON.stringify(p.forecast.params) : null)),
          training: chunk.map((p) => p.forecast.trainingDays),
          levels: chunk.map((p) => p.forecast.bandLevel),
        },
      );
      const inserted = await trx.raw(
        `INSERT INTO analytics.demand_forecasts (sku, warehouse_id, as_of_date, target_date, mean, lower, upper)
         SELECT p.sku, p.warehouse_id, CAST(:day AS date), CAST(:day AS date) + h,
                v.means[p.off + h], v.lowers[p.off + h], v.uppers[p.off + h]
         FROM unnest(CAST(:skus AS text[]), CAST(:whs AS text[]), CAST(:offsets AS int[]), CAST(:lengths AS int[]))
                AS p(sku, warehouse_id, off, len)
         CROSS JOIN (SELECT CAST(:means AS float8[]) AS means, CAST(:lowers AS float8[]) AS lowers,
                            CAST(:uppers AS float8[]) AS uppers) v
         CROSS JOIN LATERAL generate_series(1, p.len) AS h`,
        {
          ...keys,
          offsets,
          lengths: chunk.map((p) => p.forecast.mean.length),
          means,
          lowers,
          uppers,
        },
      );
      rows += inserted.rowCount ?? 0;
    }
    return { pairs: pairs.length, rows, replaced: gone[0].replaced };
  });
}
