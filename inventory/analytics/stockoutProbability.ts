/**
 * The calibrated stock-out probability of SPEC §5 (second round): the chance that a pair with
 * stock today runs out within its lead time, counting what is already on order.
 *
 *   position  = on_hand + on_order − reserved                  (inventory position)
 *   demand    = leadTimeDemand(…) = { mean, sigma }             (demand over the lead time L: the
 *                                                                forecast's, else the §5 one)
 *   z_L       = (mean − position) / sigma                       (the whole lead time)
 *   z_t       = (mean·t/L − available) / (sigma·√(t/L))         (until the next receipt, t days;
 *                                                                an overdue one: as long again)
 *   z         = max(z_L, z_t), clamped to ±8
 *   p         = calibrated(z)                                   (isotonic in z, fitted)
 *
 * Counting every open order for the whole lead time would call a pair safe whose stock runs out
 * the day before its receipt lands, hence the second check. The raw normal model is Φ(z), but it is not
 * calibrated (stock-outs also come from demand surges and late receipts the normal model does not
 * see); `STOCKOUT_CALIBRATION` is a monotone, piecewise-linear remapping of z, fitted by `wareflow eval stockout --fit` (inventory/backtest) on one generated history and
 * scored on another.
 */

/** Demand over the lead time as a distribution: its mean and standard deviation, in units. */
export interface LeadTimeDemand {
  mean: number;
  sigma: number;
}

/**
 * Demand over the lead time, the one place where the forecast replaces the SPEC §5 statistics:
 * the pair's demand forecast for the lead time (`analytics.lead_time_demand`, the daily ETL's
 * damped Holt-Winters: the sum of the daily means and its σ) when there is one, else the §5
 * mean μL and sigma σ_L = volatility · √L. The SQL twin is `LEAD_TIME_DEMAND_SQL` below.
 */
export function leadTimeDemand(stats: {
  expectedDailyDemand: number;
  volatility: number;
  leadTimeDays: number;
  /** The stored forecast of the lead time's demand; null or absent: none (the §5 statistics). */
  forecast?: LeadTimeDemand | null;
}): LeadTimeDemand {
  if (stats.forecast) return { mean: stats.forecast.mean, sigma: stats.forecast.sigma };
  return {
    mean: stats.expectedDailyDemand * stats.leadTimeDays,
    sigma: stats.volatility * Math.sqrt(stats.leadTimeDays),
  };
}

/**
 * SQL twin of `leadTimeDemand` over columns `f_mean`, `f_sigma` (the stored forecast's mean and
 * σ; null without one), `mu` (μ), `volatility` and `l` (lead time, days): three select-list
 * expressions `ltd_mean`, `ltd_sigma` and `ltd_daily` (the mean per day: μ, or the forecast's
 * mean / L).
 */
export const LEAD_TIME_DEMAND_SQL = `
  CASE WHEN f_mean IS NULL THEN mu * l ELSE f_mean END AS ltd_mean,
  CASE WHEN f_mean IS NULL THEN volatility * sqrt(l) ELSE f_sigma END AS ltd_sigma,
  CASE WHEN f_mean IS NULL THEN mu ELSE f_mean / l END AS ltd_daily`;

/**
 * The calibration: knots (z, p) with z increasing and p non-decreasing; p is interpolated
 * linearly between knots and flat beyond the first and the last (a monotone, piecewise-linear
 * isotonic mapping of z).
 */
export interface StockoutCalibration {
  knots: ReadonlyArray<readonly [z: number, p: number]>;
}

/**
 * Fitted by `wareflow eval stockout --fit --pool …` (isotonic regression of the outcome on z,
 * blocks of at least 200 pair-days) on three training years pooled: the labelled years of
 * `wareflow eval alerts --seed N` for seeds 11, 13 and 14 (50 products × 3 warehouses, history
 * 2025-12-07T09:00Z to 2026-12-07T09:00Z, the daily ETL over every day): 155,203 pair-days, 9,872 ran out.
 * Scored on the held-out eval year of seed 7 (docs/SPEC.md §5).
 */
export const STOCKOUT_CALIBRATION: StockoutCalibration = {
  knots: [
    [-8, 0.029],
    [-7.947, 0.0413],
    [-7.791, 0.0419],
    [-7.392, 0.0425],
    [-6.718, 0.0444],
    [-5.972, 0.0458],
    [-5.58, 0.05],
    [-5.529, 0.055],
    [-4.918, 0.0686],
    [-4.299, 0.07],
    [-3.984, 0.0707],
    [-3.494, 0.08],
    [-3.227, 0.0813],
    [-3.049, 0.085],
    [-2.632, 0.1171],
    [-2.227, 0.125],
    [-2.134, 0.14],
    [-2.038, 0.155],
    [-1.703, 0.165],
    [-1.341, 0.18],
    [-1.212, 0.21],
    [-1.124, 0.215],
    [-0.927, 0.2767],
    [-0.713, 0.325],
    [-0.537, 0.3675],
    [-0.36, 0.385],
    [-0.157, 0.4475],
    [0.025, 0.505],
    [0.151, 0.53],
    [0.282, 0.61],
    [0.404, 0.685],
    [0.532, 0.69],
    [0.803, 0.7083],
    [1.161, 0.75],
    [1.424, 0.765],
    [1.695, 0.8625],
    [2.118, 0.8925],
    [2.507, 0.905],
    [3.412, 0.92],
    [6.015, 0.9333],
  ],
};

/** Where a pair stands at the end of a day, for the stock-out probability. */
export interface StockPosition {
  /** on_hand − reserved. */
  available: number;
  /** Units on order, not yet received. */
  onOrder: number;
  /**
   * Days from now until the earliest open order is expected, negative when it is overdue; null
   * with nothing on order. The model waits |days| for it, at least 1 and at most the lead time.
   */
  daysToNextReceipt: number | null;
  leadTimeDays: number;
}

/** z-scores beyond this are clamped: the logistic is flat there, and the fit stays finite. */
export const Z_LIMIT = 8;

/**
 * The model's z-score, the larger of two checks of the lead time:
 * - until the next receipt (t days, demand mean·t/L, sigma·√(t/L)): can available stock last?
 *   An order already d days late is awaited d days more (a receipt left unbooked or a slow
 *   supplier: on the training history such pairs ran out far more often than an order due
 *   tomorrow suggests), t clamped to [1, L];
 * - over the whole lead time: can the inventory position (available + on order) last?
 * z = (demand − stock) / sigma, clamped to ±Z_LIMIT; with sigma = 0, ±Z_LIMIT by whether the
 * stock falls short of the mean.
 */
export function stockoutZ(s: StockPosition, demand: LeadTimeDemand): number {
  const whole = shareZ(demand, s.available + s.onOrder, 1);
  if (s.daysToNextReceipt === null) return whole;
  // An overdue order (negative days) is expected as long again as it is already late.
  const t = Math.max(1, Math.min(s.leadTimeDays, Math.abs(s.daysToNextReceipt)));
  return Math.max(whole, shareZ(demand, s.available, t / s.leadTimeDays));
}

/** The z-score of `stock` against the `share` of the lead time's demand. */
function shareZ(demand: LeadTimeDemand, stock: number, share: number): number {
  const mean = demand.mean * share;
  const sigma = demand.sigma * Math.sqrt(share);
  if (!(sigma > 0)) return stock < mean ? Z_LIMIT : -Z_LIMIT;
  return Math.max(-Z_LIMIT, Math.min(Z_LIMIT, (mean - stock) / sigma));
}

/**
 * The calibrated probability of a z-score: the knots' piecewise-linear interpolation. (Asked
 * after every change the stream applies: indexes rather than destructuring, which allocates
 * until V8 optimises it.)
 */
export function calibrated(z: number, c: StockoutCalibration = STOCKOUT_CALIBRATION): number {
  const k = c.knots;
  if (z <= k[0]![0]) return k[0]![1];
  for (let i = 1; i < k.length; i++) {
    const hi = k[i]!;
    if (z <= hi[0]) {
      const lo = k[i - 1]!;
      return lo[1] + ((z - lo[0]) * (hi[1] - lo[1])) / (hi[0] - lo[0]);
    }
  }
  return k[k.length - 1]![1];
}

/**
 * P(the pair runs out within its lead time). Decreasing in available stock and in stock on order
 * (an order due sooner lowers it more); in (0, 1).
 */
export function stockoutProbability(
  s: StockPosition,
  demand: LeadTimeDemand,
  c: StockoutCalibration = STOCKOUT_CALIBRATION,
): number {
  return calibrated(stockoutZ(s, demand), c);
}

/**
 * SQL twin of `stockoutZ` over select-list columns `available`, `position` (available + on
 * order), `receipt_days` (days to the next expected receipt, negative when overdue, null with
 * nothing on order), `l`
 * (lead time), `ltd_mean` and `ltd_sigma`; `:z_limit` is bound by `calibrationParams`.
 */
export const STOCKOUT_Z_SQL = `
  greatest(
    CASE WHEN ltd_sigma > 0
         THEN least(CAST(:z_limit AS float8), greatest(-CAST(:z_limit AS float8), (ltd_mean - position) / ltd_sigma))
         WHEN position < ltd_mean THEN CAST(:z_limit AS float8) ELSE -CAST(:z_limit AS float8) END,
    CASE WHEN receipt_days IS NULL THEN -CAST(:z_limit AS float8)
         WHEN ltd_sigma > 0
         THEN least(CAST(:z_limit AS float8), greatest(-CAST(:z_limit AS float8),
                (ltd_mean * least(l, greatest(1, abs(receipt_days))) / l - available)
                / (ltd_sigma * sqrt(least(l, greatest(1, abs(receipt_days))) / l))))
         WHEN available < ltd_mean * least(l, greatest(1, abs(receipt_days))) / l THEN CAST(:z_limit AS float8)
         ELSE -CAST(:z_limit AS float8) END)`;

/** SQL twin of `calibrated` over the column (or expression) `z`: the knots as a CASE, as literals. */
export function calibratedSql(z: string, c: StockoutCalibration = STOCKOUT_CALIBRATION): string {
  const k = c.knots;
  const lit = (x: number) => `CAST(${x} AS float8)`;
  const arms = [`WHEN ${z} <= ${lit(k[0]![0])} THEN ${lit(k[0]![1])}`];
  for (let i = 1; i < k.length; i++) {
    const [z0, p0] = k[i - 1]!;
    const [z1, p1] = k[i]!;
    arms.push(
      `WHEN ${z} <= ${lit(z1)} THEN ${lit(p0)} + (${z} - ${lit(z0)}) * ${lit((p1 - p0) / (z1 - z0))}`,
    );
  }
  return `CASE ${arms.join(' ')} ELSE ${lit(k[k.length - 1]![1])} END`;
}

/** The bindings `STOCKOUT_Z_SQL` needs. */
export const calibrationParams = () => ({ z_limit: Z_LIMIT });
