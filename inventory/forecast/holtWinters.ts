/**
 * Additive Holt-Winters with a damped trend and weekly seasonality (m = 7), in error-correction
 * form. With e_t = y_t − (ℓ + φb + s_{t−m}):
 *   ℓ' = ℓ + φb + αe,   b' = φb + αβe,   s_t = s_{t−m} + γe
 * and the h-step forecast from the end of the series is ℓ + (φ + … + φ^h)·b + s (same weekday).
 * The smoothing parameters are chosen from a small grid by the one-step-ahead squared error on
 * the training series.
 */

/** Days per season: the weekly cycle of daily sales. */
export const SEASON = 7;

export interface HoltWintersParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}

/** The state at the end of a series: what forecasting needs. */
export interface HoltWintersState {
  level: number;
  trend: number;
  /** season[i] is the seasonal term of day t with t mod 7 = i (t counted from the series start). */
  season: Float64Array;
  /** Days consumed; the next day has index n. */
  n: number;
}

export interface HoltWintersFit {
  params: HoltWintersParams;
  state: HoltWintersState;
  /** Mean squared one-step-ahead error over the training series. */
  mse: number;
}

/** The grid the fit searches: 5 × 3 × 4 × 3 = 180 combinations (γ ≤ 1 − α always holds). */
export const GRID = {
  alpha: [0.05, 0.1, 0.2, 0.35, 0.5],
  beta: [0, 0.05, 0.15],
  gamma: [0, 0.05, 0.15, 0.3],
  phi: [0.8, 0.9, 0.98],
} as const;

/**
 * Initial state from the training series (at least two whole weeks): the seasonal terms are the
 * mean deviation of each weekday from its week's mean over every whole week, the trend is the
 * change of the weekly mean per day over the first (up to four) weeks, and the level is placed
 * so that the first day's one-step forecast sits on the first week's mean.
 */
export function initialState(y: ArrayLike<number>): HoltWintersState {
  const weeks = Math.floor(y.length / SEASON);
  if (weeks < 2) throw new RangeError(`Holt-Winters needs two whole weeks, got ${y.length} days`);
  const means: number[] = [];
  const season = new Float64Array(SEASON);
  for (let w = 0; w < weeks; w++) {
    let sum = 0;
    for (let i = 0; i < SEASON; i++) sum += y[w * SEASON + i]!;
    const mean = sum / SEASON;
    means.push(mean);
    for (let i = 0; i < SEASON; i++) season[i]! += (y[w * SEASON + i]! - mean) / weeks;
  }
  const span = Math.min(weeks, 4) - 1;
  const trend = (means[span]! - means[0]!) / (SEASON * span);
  // The first week's mean belongs to its middle day (index 3).
  return { level: means[0]! - 4 * trend, trend, season, n: 0 };
}

/**
 * Runs the recursions over y from `state` (copied, not changed). Returns the state after the last
 * day and the sum of squared one-step errors. `onStep(t, state)` sees the state after day t.
 */
export function smooth(
  y: ArrayLike<number>,
  p: HoltWintersParams,
  start: HoltWintersState,
  onStep?: (t: number, state: HoltWintersState) => void,
): { state: HoltWintersState; sse: number } {
  const { alpha, phi } = p;
  const ab = alpha * p.beta;
  const gamma = p.gamma;
  const season = Float64Array.from(start.season);
  let level = start.level;
  let trend = start.trend;
  let sse = 0;
  const state: HoltWintersState = { level, trend, season, n: start.n };
  for (let t = 0; t < y.length; t++) {
    const i = (start.n + t) % SEASON;
    const damped = phi * trend;
    const e = y[t]! - (level + damped + season[i]!);
    sse += e * e;
    level += damped + alpha * e;
    trend = damped + ab * e;
    season[i]! += gamma * e;
    if (onStep) {
      state.level = level;
      state.trend = trend;
      state.n = start.n + t + 1;
      onStep(t, state);
    }
  }
  return { state: { level, trend, season, n: start.n + y.length }, sse };
}

/**
 * The sum of squared one-step errors of `p` over y from `start`: smooth() without the state,
 * as a tight loop, since the grid search runs it 180 times per series.
 */
function sse(y: Float64Array, p: HoltWintersParams, start: HoltWintersState, season: Float64Array): number {
  const { alpha, phi, gamma } = p;
  const ab = alpha * p.beta;
  season.set(start.season);
  let level = start.level;
  let trend = start.trend;
  let total = 0;
  let i = start.n % SEASON;
  for (let t = 0; t < y.length; t++) {
    const damped = phi * trend;
    const e = y[t]! - (level + damped + season[i]!);
    total += e * e;
    level += damped + alpha * e;
    trend = damped + ab * e;
    season[i]! += gamma * e;
    if (++i === SEASON) i = 0;
  }
  return total;
}

/** Where the search starts: moderate smoothing, a lightly damped trend. */
const START: HoltWintersParams = { alpha: 0.2, beta: 0.05, gamma: 0.05, phi: 0.9 };
const KEYS = ['alpha', 'gamma', 'beta', 'phi'] as const;
const MAX_SWEEPS = 3;

/**
 * Fits α, β, γ, φ on GRID by the one-step squared error, by coordinate descent: from START, each
 * parameter in turn takes its best grid value with the others held, until a sweep changes
 * nothing (at most MAX_SWEEPS). About 30 evaluations instead of the grid's 180, at a loss of fit
 * measured in the spec as negligible. Ties keep the current value, so the result is
 * deterministic.
 */
export function fitHoltWinters(
  series: ArrayLike<number>,
  options: { exhaustive?: boolean } = {},
): HoltWintersFit {
  const y = Float64Array.from(series);
  const init = initialState(y);
  const scratch = new Float64Array(SEASON);
  let best = { ...START };
  let bestSse = sse(y, best, init, scratch);
  if (options.exhaustive) {
    for (const alpha of GRID.alpha)
      for (const beta of GRID.beta)
        for (const gamma of GRID.gamma)
          for (const phi of GRID.phi) {
            const params = { alpha, beta, gamma, phi };
            const total = sse(y, params, init, scratch);
            if (total < bestSse) [best, bestSse] = [params, total];
          }
  } else {
    for (let sweep = 0, changed = true; changed && sweep < MAX_SWEEPS; sweep++) {
      changed = false;
      for (const key of KEYS)
        for (const value of GRID[key]) {
          if (value === best[key]) continue;
          const params = { ...best, [key]: value };
          const total = sse(y, params, init, scratch);
          if (total < bestSse) [best, bestSse, changed] = [params, total, true];
        }
    }
  }
  const { state } = smooth(y, best, init);
  return { params: best, state, mse: bestSse / y.length };
}

/**
 * Point forecasts for the next `horizon` days after `state`, floored at 0 (sales are never
 * negative). out[h − 1] is the forecast of day n − 1 + h.
 */
export function forecastFrom(state: HoltWintersState, phi: number, horizon: number): number[] {
  const out: number[] = [];
  let damping = 0;
  let power = 1;
  for (let h = 1; h <= horizon; h++) {
    power *= phi;
    damping += power;
    const value = state.level + damping * state.trend + state.season[(state.n + h - 1) % SEASON]!;
    out.push(value > 0 ? value : 0);
  }
  return out;
}
