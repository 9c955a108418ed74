import { SEASON } from './holtWinters.js';

/**
 * The seasonal-naive baseline and the accuracy scores of the backtest (Hyndman & Koehler 2006).
 */

/** Each day of the horizon repeats the same weekday of the last week of `train`. */
export function seasonalNaive(train: ArrayLike<number>, horizon: number, m = SEASON): number[] {
  if (train.length < m) throw new RangeError(`seasonal naive needs ${m} days, got ${train.length}`);
  const out: number[] = [];
  for (let h = 1; h <= horizon; h++) out.push(train[train.length - m + ((h - 1) % m)]!);
  return out;
}

/**
 * The MASE scale: the in-sample mean absolute error of the one-step seasonal-naive forecast,
 * mean over t ≥ m of |y_t − y_{t−m}|. Null when there is no such t; 0 for a series that repeats
 * its weeks exactly (MASE is undefined for it).
 */
export function seasonalNaiveScale(train: ArrayLike<number>, m = SEASON): number | null {
  if (train.length <= m) return null;
  let sum = 0;
  for (let t = m; t < train.length; t++) sum += Math.abs(train[t]! - train[t - m]!);
  return sum / (train.length - m);
}

/** Mean absolute error scaled by `scale`; null when the scale is 0 or unknown. */
export function mase(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  scale: number | null,
): number | null {
  if (!scale) return null;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - forecast[i]!);
  return sum / actual.length / scale;
}

/**
 * One day's symmetric absolute percentage error, 0–200: 200·|a − f| / (|a| + |f|). A day with
 * no sales forecast as exactly 0 is a perfect forecast (0/0 counts as 0), and is counted.
 */
export function smapeTerm(actual: number, forecast: number): number {
  const denominator = Math.abs(actual) + Math.abs(forecast);
  return denominator === 0 ? 0 : (200 * Math.abs(actual - forecast)) / denominator;
}

/** sMAPE in percent (0–200) over the days, 0/0 days counting as 0. */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += smapeTerm(actual[i]!, forecast[i]!);
  return sum / actual.length;
}
