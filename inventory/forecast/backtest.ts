import { forecastDemand, TRAINING_DAYS } from './forecastDemand.js';
import { seasonalNaive, seasonalNaiveScale, smapeTerm } from './scores.js';

/**
 * Rolling-origin backtest of the demand forecast against the seasonal-naive baseline. For one
 * pair's daily sales, origin o trains on the TRAINING_DAYS days before o (all of them before the
 * window fills), exactly as the daily ETL does, and forecasts days o … o + L − 1, L = the
 * product's lead time. Origins start after a warm-up and step by a week; an origin counts only
 * when its whole horizon lies inside the history. Both models are scored on the same cells.
 */
export interface BacktestOptions {
  /** Days of history before the first origin (default 56). */
  warmup?: number;
  /** Days between origins (default 7). */
  step?: number;
  /** Days the model trains on (default TRAINING_DAYS, the daily ETL's window). */
  window?: number;
}

/** One pair's scores. MASE is null when no origin had a non-zero scale. */
export interface PairBacktest {
  origins: number;
  /** Forecast days scored (origins × lead time). */
  days: number;
  forecast_mase: number | null;
  baseline_mase: number | null;
  forecast_smape: number;
  baseline_smape: number;
  /** Share of the scored days whose sales fell inside the forecast's 80 % band. */
  band_coverage: number;
}

export function backtestPair(
  sales: ArrayLike<number>,
  leadTime: number,
  options: BacktestOptions = {},
): PairBacktest | null {
  const { warmup = 56, step = 7, window = TRAINING_DAYS } = options;
  const horizon = Math.max(1, Math.floor(leadTime));
  const s = Array.from(sales);
  let origins = 0;
  let days = 0;
  let scaledDays = 0;
  const sum = { fMase: 0, bMase: 0, fSmape: 0, bSmape: 0, covered: 0 };
  for (let o = warmup; o + horizon <= s.length; o += step) {
    const train = s.slice(Math.max(0, o - window), o);
    const actual = s.slice(o, o + horizon);
    const forecast = forecastDemand(train, horizon);
    const baseline = seasonalNaive(train, horizon);
    const scale = seasonalNaiveScale(train);
    origins++;
    for (let k = 0; k < horizon; k++) {
      const a = actual[k]!;
      days++;
      sum.fSmape += smapeTerm(a, forecast.mean[k]!);
      sum.bSmape += smapeTerm(a, baseline[k]!);
      if (a >= forecast.lower[k]! && a <= forecast.upper[k]!) sum.covered++;
      if (scale) {
        scaledDays++;
        sum.fMase += Math.abs(a - forecast.mean[k]!) / scale;
        sum.bMase += Math.abs(a - baseline[k]!) / scale;
      }
    }
  }
  if (origins === 0) return null;
  return {
    origins,
    days,
    forecast_mase: scaledDays ? sum.fMase / scaledDays : null,
    baseline_mase: scaledDays ? sum.bMase / scaledDays : null,
    forecast_smape: sum.fSmape / days,
    baseline_smape: sum.bSmape / days,
    band_coverage: sum.covered / days,
  };
}

/** The backtest over many pairs: each score is the mean of the per-pair scores. */
export interface BacktestSummary {
  /** Pairs with at least one origin. */
  pairs: number;
  /** Of those, pairs with a MASE (a non-zero seasonal-naive scale at some origin). */
  pairs_scaled: number;
  /** Origins over all pairs. */
  origins: number;
  forecast_mase: number | null;
  baseline_mase: number | null;
  forecast_smape: number | null;
  baseline_smape: number | null;
  band_coverage: number | null;
  /** Share of scaled pairs whose forecast MASE is below the baseline's. */
  pairs_better_than_baseline: number | null;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function summariseBacktest(pairs: Array<PairBacktest | null>): BacktestSummary {
  const scored = pairs.filter((p): p is PairBacktest => p !== null);
  const scaled = scored.filter((p) => p.forecast_mase !== null);
  return {
    pairs: scored.length,
    pairs_scaled: scaled.length,
    origins: scored.reduce((s, p) => s + p.origins, 0),
    forecast_mase: mean(scaled.map((p) => p.forecast_mase!)),
    baseline_mase: mean(scaled.map((p) => p.baseline_mase!)),
    forecast_smape: mean(scored.map((p) => p.forecast_smape)),
    baseline_smape: mean(scored.map((p) => p.baseline_smape)),
    band_coverage: mean(scored.map((p) => p.band_coverage)),
    pairs_better_than_baseline: mean(scaled.map((p) => (p.forecast_mase! < p.baseline_mase! ? 1 : 0))),
  };
}
