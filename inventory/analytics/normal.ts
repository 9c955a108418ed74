import { errorFunction } from 'simple-statistics';

/**
 * z(0.95): the 95th percentile of the standard normal distribution, used for the safety stock
 * (SPEC §5). A constant rather than `probit(0.95)`, whose approximation is only good to a few
 * decimals.
 */
export const Z_95 = 1.6448536269514722;

/**
 * Φ(x), the standard normal cumulative distribution, as 0.5 · (1 + erf(x / √2)).
 *
 * simple-statistics' erf is the Numerical Recipes erfc polynomial (fractional error < 1.2e-7);
 * `analytics.normal_cdf` in PostgreSQL (db/migrations/inventory/0004_dags.ts) evaluates the same
 * polynomial, so the DAGs and the sidecar agree to rounding. `cumulativeStdNormalProbability`
 * is not used: it reads a table rounded to two decimals.
 */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * (1 + errorFunction(x / Math.SQRT2));
}
