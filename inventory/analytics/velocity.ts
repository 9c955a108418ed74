import { linearRegression, sampleStandardDeviation, sum } from 'simple-statistics';

/**
 * Average units sold per day over the last `days` entries of `dailySales` (oldest first). Days
 * before the series starts count as zero, so a pair with three days of history still divides
 * by `days`.
 */
export function velocity(dailySales: readonly number[], days: number): number {
  if (days <= 0) return 0;
  const window = dailySales.slice(-days);
  return window.length === 0 ? 0 : sum(window) / days;
}

/** Sample standard deviation of the daily values (zeros included); 0 for fewer than two values. */
export function volatility(dailySales: readonly number[]): number {
  return dailySales.length < 2 ? 0 : sampleStandardDeviation([...dailySales]);
}

/**
 * Least-squares slope of the daily values against the day index (0 = oldest), in units per
 * day per day; 0 for fewer than two values.
 */
export function trend(dailySales: readonly number[]): number {
  if (dailySales.length < 2) return 0;
  return linearRegression(dailySales.map((y, i) => [i, y])).m;
}

/** velocity_7d / velocity_30d, or 1 when there were no sales in 30 days. */
export function seasonalityIndex(velocity7d: number, velocity30d: number): number {
  return velocity30d === 0 ? 1 : velocity7d / velocity30d;
}
