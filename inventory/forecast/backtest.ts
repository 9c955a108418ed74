import { forecastDemand, TRAINING_DAYS } from './forecastDemand.js';
import { seasonalNaive, seasonalNaiveScale, smapeTerm } from './scores.js';

/**
 * Rolling-origin backtest of the demand forecast against the seasonal-naive baseline. For one
 * pair's daily sales, origin o trains on the TRAINING_DAYS days before o (all of them before the
 * window fills), exactly as the daily ETL does, and forecasts days o … o + L − 1, L = the
 * product's lead time. Origins start after a warm-up and step by a week; an origin counts only
 * when its whole horizon lies inside the history. Both models are scored on the same cells.
 *
 * Labelled incident days (`incidentDays`: a demand surge, a run on the product, a stock-out, a
 * re-sent or lost row, a dark day …) are not demand a forecaster should predict. The scores are
 * given twice: under the backtest's rule, which leaves those days out of the scored actuals and
 * out of the MASE scale (a pair (t, t − 7) counts only when neither day is an incident day), and
 * over all days (`all_days`, the scale over every training day). The models still train on every
 * day, incidents included, as the daily ETL does: it knows no labels.
 */
export interface BacktestOptions {
  /** Days of history before the first origin (default 56). */
  warmup?: number;
  /** Days between origins (default 7). */
  step?: number;
  /** Days the model trains on (default TRAINING_DAYS, the daily ETL's window). */
  window?: number;
  /** Indexes into the sales of the days a labelled incident ran on (none: every day is scored). */
  incidentDays?: ReadonlySet<number>;
}

/** The scores of a set of forecast days. MASE is null when no scored day had a non-zero scale. */
export interface BacktestScores {
  /** Forecast days scored. */
  days: number;
  forecast_mase: number | null;
  baseline_mase: number | null;
  /** Null when no day was scored. */
  forecast_smape: number | null;
  baseline_smape: number | null;
  /** Share of the scored days whose sales fell inside the forecast's 80 % band. */
  band_coverage: number | null;
}

/** One pair's scores: under the rule (incident days left out), and over all days. */
export interface PairBacktest extends BacktestScores {
  origins: number;
  /** Forecast days left out as labelled incident days. */
  incident_days: number;
  all_days: BacktestScores;
}

class Tally {
  days = 0;
  scaledDays = 0;
  fMase = 0;
  bMase = 0;
  fSmape = 0;
  bSmape = 0;
  covered = 0;

  add(
    actual: number,
    forecast: number,
    lower: number,
    upper: number,
    baseline: number,
    scale: number | null,
  ) {
    this.days++;
    this.fSmape += smapeTerm(actual, forecast);
    this.bSmape += smapeTerm(actual, baseline);
    if (actual >= lower && actual <= upper) this.covered++;
    if (scale) {
      this.scaledDays++;
      this.fMase += Math.abs(actual - forecast) / scale;
      this.bMase += Math.abs(actual - baseline) / scale;
    }
  }

  scores(): BacktestScores {
    const { days, scaledDays } = this;
    return {
      days,
      forecast_mase: scaledDays ? this.fMase / scaledDays : null,
      baseline_mase: scaledDays ? this.bMase / scaledDays : null,
      forecast_smape: days ? this.fSmape / days : null,
      baseline_smape: days ? this.bSmape / days : null,
      band_coverage: days ? this.covered / days : null,
    };
  }
}

/**
 * The seasonal-naive MASE scale of the training days s[from … to − 1] without the incident days:
 * the mean of |s_t − s_{t−7}| over the t whose pair holds no incident day. Null without such a t.
 */
function scaleWithout(s: readonly number[], from: number, to: number, incidents: ReadonlySet<number>) {
  let sum = 0;
  let n = 0;
  for (let t = from + 7; t < to; t++) {
    if (incidents.has(t) || incidents.has(t - 7)) continue;
    sum += Math.abs(s[t]! - s[t - 7]!);
    n++;
  }
  return n ? sum / n : null;
}

export function backtestPair(
  sales: ArrayLike<number>,
  leadTime: number,
  options: BacktestOptions = {},
): PairBacktest | null {
  const { warmup = 56, step = 7, window = TRAINING_DAYS, incidentDays } = options;
  const horizon = Math.max(1, Math.floor(leadTime));
  const s = Array.from(sales);
  const ruled = new Tally();
  const all = new Tally();
  let origins = 0;
  let excluded = 0;
  for (let o = warmup; o + horizon <= s.length; o += step) {
    const from = Math.max(0, o - window);
    const train = s.slice(from, o);
    const forecast = forecastDemand(train, horizon);
    const baseline = seasonalNaive(train, horizon);
    const scale = seasonalNaiveScale(train);
    const ruledScale = incidentDays?.size ? scaleWithout(s, from, o, incidentDays) : scale;
    origins++;
    for (let k = 0; k < horizon; k++) {
      const cell = [
        s[o + k]!,
        forecast.mean[k]!,
        forecast.lower[k]!,
        forecast.upper[k]!,
        baseline[k]!,
      ] as const;
      all.add(...cell, scale);
      if (incidentDays?.has(o + k)) excluded++;
      else ruled.add(...cell, ruledScale);
    }
  }
  if (origins === 0) return null;
  return { origins, incident_days: excluded, ...ruled.scores(), all_days: all.scores() };
}

/** Scores over many pairs: each the mean of the per-pair scores. */
export interface SummaryScores {
  /** Pairs with a MASE (a non-zero scale on some scored day). */
  pairs_scaled: number;
  forecast_mase: number | null;
  baseline_mase: number | null;
  forecast_smape: number | null;
  baseline_smape: number | null;
  band_coverage: number | null;
  /** Share of scaled pairs whose forecast MASE is below the baseline's. */
  pairs_better_than_baseline: number | null;
}

/** The backtest over many pairs, under the rule and (`all_days`) over every day. */
export interface BacktestSummary extends SummaryScores {
  /** Pairs with at least one origin. */
  pairs: number;
  /** Origins over all pairs. */
  origins: number;
  /** Forecast days scored under the rule, and those left out as labelled incident days. */
  days: number;
  incident_days: number;
  all_days: SummaryScores & { days: number };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function summarise(scores: BacktestScores[]): SummaryScores {
  const scaled = scores.filter((p) => p.forecast_mase !== null);
  const scored = scores.filter((p) => p.days > 0);
  return {
    pairs_scaled: scaled.length,
    forecast_mase: mean(scaled.map((p) => p.forecast_mase!)),
    baseline_mase: mean(scaled.map((p) => p.baseline_mase!)),
    forecast_smape: mean(scored.map((p) => p.forecast_smape!)),
    baseline_smape: mean(scored.map((p) => p.baseline_smape!)),
    band_coverage: mean(scored.map((p) => p.band_coverage!)),
    pairs_better_than_baseline: mean(scaled.map((p) => (p.forecast_mase! < p.baseline_mase! ? 1 : 0))),
  };
}

export function summariseBacktest(pairs: Array<PairBacktest | null>): BacktestSummary {
  const scored = pairs.filter((p): p is PairBacktest => p !== null);
  const sum = (f: (p: PairBacktest) => number) => scored.reduce((s, p) => s + f(p), 0);
  return {
    pairs: scored.length,
    origins: sum((p) => p.origins),
    days: sum((p) => p.days),
    incident_days: sum((p) => p.incident_days),
    ...summarise(scored),
    all_days: { days: sum((p) => p.all_days.days), ...summarise(scored.map((p) => p.all_days)) },
  };
}
