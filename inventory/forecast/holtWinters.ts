/**
 * Additive Holt-Winters with a damped trend and weekly seasonality (m = 7), in error-correction
 * form. With e_t = y_t − (ℓ + φb + s_{t−m}):
 *   ℓ' = ℓ + φb + αe,   b' = φb + αβe,   s_t = s_{t−m} + γe
 * and the h-step forecast from the end of the series is ℓ + (φ + … + φ^h)·b + s (same weekday).
 * α, γ and φ are chosen from a small grid by the one-step-ahead squared error on the training
 * series; β is fixed (see `BETA`).
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
  /** The state after the last training day. */
  state: HoltWintersState;
  /** The state the recursions started from (`initialState` of the series). */
  initial: HoltWintersState;
  /** Mean squared one-step-ahead error over the training series. */
  mse: number;
}

/** The grid the fit searches: 5 × 4 × 3 = 60 combinations (γ ≤ 1 − α always holds). */
export const GRID = {
  alpha: [0.05, 0.1, 0.2, 0.35, 0.5],
  gamma: [0, 0.05, 0.15, 0.3],
  phi: [0.8, 0.9, 0.98],
} as const;

/**
 * β, the trend's smoothing, is not searched: a light one. Searching it too (β ∈ {0, 0.05, 0.15},
 * by three sweeps of coordinate descent over all four parameters) fitted the training days
 * better and forecast the weeks after them no better: the rolling-origin MASE of four generated
 * years (one clean, three labelled) was within 0.001 of this fit's, at twice the cost.
 */
export const BETA = 0.05;

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
 * The sum of squared one-step errors of (α, γ, φ), β = BETA, over y from `start`: smooth()
 * without the state, as a tight loop, since the search runs it for every candidate. It stops as
 * soon as the sum reaches `bound` (a candidate that cannot beat the best so far) and returns that
 * partial sum: the terms are never negative, so the comparison with the bound comes out the same.
 */
function sse(
  y: Float64Array,
  alpha: number,
  gamma: number,
  phi: number,
  start: HoltWintersState,
  season: Float64Array,
  bound: number,
): number {
  const ab = alpha * BETA;
  season.set(start.season);
  let level = start.level;
  let trend = start.trend;
  let total = 0;
  let i = start.n % SEASON;
  for (let t = 0; t < y.length; t++) {
    const damped = phi * trend;
    const e = y[t]! - (level + damped + season[i]!);
    total += e * e;
    if (total >= bound) return total;
    level += damped + alpha * e;
    trend = damped + ab * e;
    season[i]! += gamma * e;
    if (++i === SEASON) i = 0;
  }
  return total;
}

/** Where the search starts: moderate smoothing of the level, a slowly moving weekly pattern. */
const START = { alpha: 0.2, gamma: 0.05, phi: 0.9 } as const;

/**
 * Fits α, γ and φ on GRID by the one-step squared error: from START, α takes its best grid value
 * with the others held, then γ, then φ (one sweep of coordinate descent: 10 evaluations instead
 * of the grid's 60; more sweeps forecast no better in the backtest). Each evaluation stops once
 * it cannot beat the best. Ties keep the current value, so the result is deterministic.
 * `exhaustive` searches the whole grid instead.
 */
export function fitHoltWinters(
  series: ArrayLike<number>,
  options: { exhaustive?: boolean } = {},
): HoltWintersFit {
  const y = series instanceof Float64Array ? series : Float64Array.from(series);
  const initial = initialState(y);
  const scratch = new Float64Array(SEASON);
  let { alpha, gamma, phi }: { alpha: number; gamma: number; phi: number } = START;
  let best = sse(y, alpha, gamma, phi, initial, scratch, Infinity);
  if (options.exhaustive) {
    for (const a of GRID.alpha)
      for (const g of GRID.gamma)
        for (const f of GRID.phi) {
          const total = sse(y, a, g, f, initial, scratch, best);
          if (total < best) [alpha, gamma, phi, best] = [a, g, f, total];
        }
  } else {
    for (const a of GRID.alpha) {
      if (a === START.alpha) continue;
      const total = sse(y, a, gamma, phi, initial, scratch, best);
      if (total < best) [alpha, best] = [a, total];
    }
    for (const g of GRID.gamma) {
      if (g === START.gamma) continue;
      const total = sse(y, alpha, g, phi, initial, scratch, best);
      if (total < best) [gamma, best] = [g, total];
    }
    for (const f of GRID.phi) {
      if (f === START.phi) continue;
      const total = sse(y, alpha, gamma, f, initial, scratch, best);
      if (total < best) [phi, best] = [f, total];
    }
  }
  const params = { alpha, beta: BETA, gamma, phi };
  const { state } = smooth(y, params, initial);
  return { params, state, initial, mse: best / y.length };
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
