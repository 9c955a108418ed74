import { SEASON } from './holtWinters.js';

/**
 * Robust cleansing of a training window before the fit: a seasonal Hampel filter that caps the
 * days selling far above what that weekday usually sells. A demand surge, a run on a product or
 * a bulk order lasts a day or three and is no part of the demand to come; fitted as it stands it
 * drags the level (and, through the one-step errors, the smoothing parameters) with it, and the
 * next weeks are forecast several times too high.
 *
 * For day t, with its residual r_t = y_t − m_t:
 * - reference m_t = median of the same weekday in the five weeks around t (shifted inside the
 *   series at its ends), so a surge of a few days never moves it;
 * - spread s_t = the largest of: 1.4826 · MAD of those five values (the weekday's own spread),
 *   1.4826 · median |r| over the whole window (the series' spread, robust to its outliers), and
 *   √(u · max(m_t, u)), u = the smallest selling day, the count noise of sales that come in lines
 *   of about u units — so a slow seller's sale of a line or two on a weekday that usually sells
 *   nothing is never an outlier;
 * - a day above m_t + CLEANSE_K · s_t is capped there. Days are only ever lowered, never raised:
 *   a day without sales stays one (closed days keep their zeros), and nothing is imputed.
 * Uses nothing but the sales themselves.
 */

/** How many spreads above its weekday's reference a day may sell before it is capped. */
export const CLEANSE_K = 2;
/** Same-weekday values the reference and spread are taken from (an odd number of weeks). */
const WEEKS = 5;
const MAD_TO_SIGMA = 1.4826;

/**
 * Median of five numbers without an array: sort the pairs (a, b) and (c, d); the smaller of a and
 * c is below three others, so it cannot be the median and drops out for e; the median is then the
 * second smallest of the two sorted pairs.
 */
function median5(a: number, b: number, c: number, d: number, e: number): number {
  let t: number;
  if (a > b) {
    t = a;
    a = b;
    b = t;
  }
  if (c > d) {
    t = c;
    c = d;
    d = t;
  }
  if (a < c) {
    a = e;
    if (a > b) {
      t = a;
      a = b;
      b = t;
    }
  } else {
    c = e;
    if (c > d) {
      t = c;
      c = d;
      d = t;
    }
  }
  return a < c ? Math.min(b, c) : Math.min(a, d);
}

/** The k-th smallest (0-based) of `xs`, which it reorders (quickselect, Hoare partition). */
function select(xs: Float64Array, k: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i++] = xs[j]!;
        xs[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

/** Median of `xs` (reordered). */
function medianOf(xs: Float64Array): number {
  const n = xs.length;
  const upper = select(xs, n >> 1);
  return n % 2 === 1 ? upper : (upper + select(xs, (n >> 1) - 1)) / 2;
}

/** Median of the first `n` values of `xs`, which it sorts in place (insertion sort: n is small). */
function median(xs: Float64Array, n: number): number {
  for (let i = 1; i < n; i++) {
    const x = xs[i]!;
    let j = i - 1;
    for (; j >= 0 && xs[j]! > x; j--) xs[j + 1] = xs[j]!;
    xs[j + 1] = x;
  }
  return n % 2 === 1 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
}

/**
 * The cleansed copy of `y` (daily units, oldest first). A series shorter than two weeks, or
 * without a selling day, is returned as a copy unchanged.
 */
export function cleanseSales(y: ArrayLike<number>): Float64Array {
  const n = y.length;
  const out = Float64Array.from(y);
  if (n < 2 * SEASON) return out;
  let unit = Infinity;
  for (let t = 0; t < n; t++) if (y[t]! > 0 && y[t]! < unit) unit = y[t]!;
  if (unit === Infinity) return out;
  const reference = new Float64Array(n);
  const localSpread = new Float64Array(n);
  const residual = new Float64Array(n);
  const week = new Float64Array(WEEKS);
  const half = (WEEKS - 1) / 2;
  for (let t = 0; t < n; t++) {
    // The same weekday's days t − 14 … t + 14, moved by whole weeks to stay inside the series.
    let first = t - half * SEASON;
    while (first < 0) first += SEASON;
    while (first + (WEEKS - 1) * SEASON >= n && first - SEASON >= 0) first -= SEASON;
    let m: number;
    let spread: number;
    if (first + (WEEKS - 1) * SEASON < n) {
      const a = y[first]!;
      const b = y[first + SEASON]!;
      const c = y[first + 2 * SEASON]!;
      const d = y[first + 3 * SEASON]!;
      const e = y[first + 4 * SEASON]!;
      m = median5(a, b, c, d, e);
      spread = median5(Math.abs(a - m), Math.abs(b - m), Math.abs(c - m), Math.abs(d - m), Math.abs(e - m));
    } else {
      let k = 0;
      for (let day = first; day < n && k < WEEKS; day += SEASON) week[k++] = y[day]!;
      m = median(week, k);
      for (let j = 0; j < k; j++) week[j] = Math.abs(week[j]! - m);
      spread = median(week, k);
    }
    reference[t] = m;
    localSpread[t] = MAD_TO_SIGMA * spread;
    residual[t] = Math.abs(y[t]! - m);
  }
  const seriesSpread = MAD_TO_SIGMA * medianOf(residual);
  for (let t = 0; t < n; t++) {
    const m = reference[t]!;
    const spread = Math.max(localSpread[t]!, seriesSpread, Math.sqrt(unit * Math.max(m, unit)));
    const cap = m + CLEANSE_K * spread;
    if (out[t]! > cap) out[t] = cap;
  }
  return out;
}
