import { cleanseSales } from './cleanse.js';
import {
  fitHoltWinters,
  forecastFrom,
  SEASON,
  type HoltWintersFit,
  type HoltWintersParams,
} from './holtWinters.js';

/** The central probability of the per-day band. */
export const BAND_LEVEL = 0.8;
/** z with Φ(z) = 0.9: the two-sided 80 % normal band. */
const Z_BAND = 1.2815515655446004;
/** Days of history the daily ETL (and so the backtest) trains on: twelve weeks. */
export const TRAINING_DAYS = 84;
/** Fewer training days than this: no Holt-Winters (it needs two whole weeks). */
export const MIN_HOLT_WINTERS_DAYS = 2 * SEASON;
/** In-sample errors needed before an empirical error spread is trusted. */
const MIN_ERRORS = 5;
/** A weekday without sales on each of its last this many occurrences is a closed day. */
export const CLOSED_WEEKS = 4;

/**
 * closed[i] for weekday i (t mod 7 of the series): no sales on any of its last CLOSED_WEEKS
 * occurrences (a site closed at weekends). Such days are forecast as exactly 0, band included:
 * demand is zero-inflated there, and a small positive forecast would score a 200 % sMAPE day.
 */
export function closedWeekdays(y: ArrayLike<number>): boolean[] {
  const closed: boolean[] = [];
  for (let i = 0; i < SEASON; i++) {
    let t = y.length - 1 - ((y.length - 1 - i + SEASON * CLOSED_WEEKS) % SEASON);
    let zeros = 0;
    for (; t >= 0 && zeros < CLOSED_WEEKS && y[t] === 0; t -= SEASON) zeros++;
    closed.push(zeros === CLOSED_WEEKS);
  }
  return closed;
}

/** Demand over the lead time: what the stock-out model consumes. */
export interface LeadTimeDemand {
  /** Expected units sold over the horizon (the sum of the daily means). */
  mean: number;
  /** Standard deviation of that sum. */
  sigma: number;
}

export type ForecastModel = 'holt_winters' | 'mean' | 'zero';

export interface DemandForecast {
  model: ForecastModel;
  /** The fitted smoothing parameters (Holt-Winters only). */
  params: HoltWintersParams | null;
  /** Central probability of [lower, upper]. */
  bandLevel: number;
  /** Day h (1-based) of the horizon is index h − 1 of each array. */
  mean: number[];
  lower: number[];
  upper: number[];
  leadTime: LeadTimeDemand;
  /** Days of history the model saw. */
  trainingDays: number;
}

function band(mean: number[], sigma: number[], model: ForecastModel, params: HoltWintersParams | null) {
  return {
    mean,
    lower: mean.map((m, i) => Math.max(0, m - Z_BAND * sigma[i]!)),
    upper: mean.map((m, i) => m + Z_BAND * sigma[i]!),
    model,
    params,
    bandLevel: BAND_LEVEL,
  };
}

/**
 * Forecast of daily demand for the `horizon` days after `sales` (daily units, oldest first, zero
 * days included), with an 80 % band per day and the mean and standard deviation of the total.
 *
 * - All zero (or empty): zero, with no spread.
 * - Under two weeks: the mean of the days; per-day σ = their sample standard deviation, the
 *   total's σ = σ·√horizon (days taken as independent).
 * - Otherwise Holt-Winters (holtWinters.ts), fitted to the cleansed days (cleanse.ts: a day
 *   selling far above its weekday's usual is capped, so a surge does not become the level). The
 *   spread is empirical: from every in-sample
 *   origin t after the first two weeks the fitted model forecasts the next `horizon` days, and
 *   σ_h is the root mean square of the h-step errors, σ of the total the root mean square of the
 *   errors of the horizon's sum (so correlated errors widen it, and a bias counts too). Too few
 *   such errors (short series, long horizon): σ_h falls back to the longest step measured and
 *   the total's σ to √(Σ σ_h²).
 * Forecasts and lower bounds are floored at 0, and a weekday closed in each of its last four
 * weeks (closedWeekdays) is forecast as exactly 0.
 */
export function forecastDemand(sales: ArrayLike<number>, horizon: number): DemandForecast {
  const n = sales.length;
  const h = Math.max(1, Math.floor(horizon));
  let nonZero = false;
  for (let t = 0; t < n && !nonZero; t++) nonZero = sales[t] !== 0;
  if (!nonZero) {
    const zeros = new Array<number>(h).fill(0);
    return { ...band(zeros, zeros, 'zero', null), leadTime: { mean: 0, sigma: 0 }, trainingDays: n };
  }
  if (n < MIN_HOLT_WINTERS_DAYS) {
    let sum = 0;
    for (let t = 0; t < n; t++) sum += sales[t]!;
    const mean = sum / n;
    let sq = 0;
    for (let t = 0; t < n; t++) sq += (sales[t]! - mean) ** 2;
    const sd = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
    return {
      ...band(new Array<number>(h).fill(mean), new Array<number>(h).fill(sd), 'mean', null),
      leadTime: { mean: mean * h, sigma: sd * Math.sqrt(h) },
      trainingDays: n,
    };
  }
  const y = cleanseSales(sales);
  const fit = fitHoltWinters(y);
  const closed = closedWeekdays(y);
  const mean = forecastFrom(fit.state, fit.params.phi, h);
  const { sigma, sigmaTotal } = inSampleSpread(y, fit, h, closed);
  let total = 0;
  mean.forEach((m, k) => {
    if (closed[(n + k) % SEASON]) mean[k] = sigma[k] = 0;
    total += mean[k]!;
  });
  return {
    ...band(mean, sigma, 'holt_winters', fit.params),
    leadTime: { mean: total, sigma: sigmaTotal },
    trainingDays: n,
  };
}

/**
 * The h-step and horizon-sum error spreads of the fitted model over its own training series: the
 * recursions of holtWinters.ts run once, and from each origin after the first two weeks the next
 * `horizon` days are forecast (closed weekdays and negative forecasts as 0) and scored.
 */
function inSampleSpread(y: Float64Array, fit: HoltWintersFit, horizon: number, closed: boolean[]) {
  const { params } = fit;
  const n = y.length;
  const sq = new Float64Array(horizon);
  const count = new Uint32Array(horizon);
  // damping[k] = φ + … + φ^(k+1), the trend's weight k + 1 days ahead.
  const damping = new Float64Array(horizon);
  for (let k = 0, power = 1, sum = 0; k < horizon; k++) damping[k] = sum += power *= params.phi;
  const { alpha, phi, gamma } = params;
  const ab = alpha * params.beta;
  const season = Float64Array.from(fit.initial.season);
  let level = fit.initial.level;
  let trend = fit.initial.trend;
  let totalSq = 0;
  let totals = 0;
  for (let t = 0, i = 0; t < n - 1; t++, i = i === SEASON - 1 ? 0 : i + 1) {
    const damped = phi * trend;
    const e = y[t]! - (level + damped + season[i]!);
    level += damped + alpha * e;
    trend = damped + ab * e;
    season[i]! += gamma * e;
    if (t < MIN_HOLT_WINTERS_DAYS - 1) continue;
    // The forecasts from the state after day t of days t + 1 … t + steps (weekday w).
    const steps = Math.min(horizon, n - 1 - t);
    let sumError = 0;
    for (let k = 0, w = i === SEASON - 1 ? 0 : i + 1; k < steps; k++, w = w === SEASON - 1 ? 0 : w + 1) {
      const f = level + damping[k]! * trend + season[w]!;
      const error = y[t + 1 + k]! - (closed[w] || f < 0 ? 0 : f);
      sq[k]! += error * error;
      count[k]!++;
      sumError += error;
    }
    if (steps === horizon) {
      totalSq += sumError * sumError;
      totals++;
    }
  }
  const sigma: number[] = [];
  let last = Math.sqrt(fit.mse);
  for (let k = 0; k < horizon; k++) {
    if (count[k]! >= MIN_ERRORS) last = Math.sqrt(sq[k]! / count[k]!);
    sigma.push(last);
  }
  const sigmaTotal =
    totals >= MIN_ERRORS ? Math.sqrt(totalSq / totals) : Math.sqrt(sigma.reduce((s, v) => s + v * v, 0));
  return { sigma, sigmaTotal };
}
