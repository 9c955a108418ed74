import type { Knex } from '../../platform/index.js';
import { backtestPair, summariseBacktest, type BacktestOptions, type BacktestSummary } from './backtest.js';
import { readIncidentDays } from './store/incidentDays.js';
import { lastCompleteDay } from './store/lastCompleteDay.js';
import { readDailySales } from './store/readDailySales.js';

export interface ForecastBacktestOptions extends Omit<BacktestOptions, 'incidentDays'> {
  /** Last day of history (YYYY-MM-DD); default the ledger's last whole UTC day. */
  to?: string;
}

export interface ForecastBacktestReport extends BacktestSummary {
  /** The history backtested, whole UTC days; null when the ledger is empty. */
  from: string | null;
  to: string | null;
  /** Time spent fitting and scoring, ms per origin (read excluded). */
  ms_per_origin: number | null;
}

/**
 * The rolling-origin backtest over the whole ledger (every pair of inventory_levels, its daily
 * sales read in one statement), Holt-Winters against seasonal naive: what `wareflow eval
 * forecast` prints. The labelled incidents of an eval data set (`inventory.incident_labels`)
 * give each pair its incident days, which the rule's scores leave out (backtest.ts).
 */
export async function forecastBacktest(
  knex: Knex,
  options: ForecastBacktestOptions = {},
): Promise<ForecastBacktestReport> {
  const to = options.to ?? (await lastCompleteDay(knex));
  if (to === null) return { ...summariseBacktest([]), from: null, to: null, ms_per_origin: null };
  const pairs = await readDailySales(knex, { to, days: 100_000 });
  const incidents = pairs.length ? await readIncidentDays(knex, pairs[0]!.first_day) : new Map();
  const started = performance.now();
  const summary = summariseBacktest(
    pairs.map((p) =>
      backtestPair(p.sales, p.lead_time_days, {
        ...options,
        incidentDays: incidents.get(`${p.sku}\u0000${p.warehouse_id}`),
      }),
    ),
  );
  const ms = performance.now() - started;
  return {
    ...summary,
    from: pairs[0]?.first_day ?? null,
    to,
    ms_per_origin: summary.origins ? ms / summary.origins : null,
  };
}
