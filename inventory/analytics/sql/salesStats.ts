/**
 * The 30-day sales statistics of SPEC §5 as SQL, shared by the daily metrics (whole UTC days
 * D−29 … D) and the hourly velocity refresh (30 rolling 24-hour days ending at an instant).
 *
 * Day i (0 = oldest, 29 = newest) holds the units sold that day; days without sales are zero.
 * Rather than joining every pair to a 30-row day grid, the statistics are taken from exact
 * integer sums over the sparse sale rows — Σy, Σ₇y, Σy², Σi·y — which count the zero days through
 * the fixed n = 30:
 *   volatility² = (30·Σy² − (Σy)²) / (30·29)       (sample variance)
 *   trend       = (Σi·y − 14.5·Σy) / 2247.5       (least-squares slope; Σ(i − 14.5)² = 2247.5)
 * The sums are exact `numeric`, so the result does not depend on the order PostgreSQL (or a
 * parallel plan) adds rows in, and a rerun reproduces every bit.
 */
export interface SalesStatsOptions {
  /** SQL for the day index 0…29 of a row of `inventory_transactions` (alias-free columns). */
  dayIndex: string;
  /** SQL timestamptz: first instant of the window (inclusive). */
  from: string;
  /** SQL timestamptz: end of the window (exclusive). */
  to: string;
  /** Extra SQL condition on the transaction rows, e.g. a pair filter. */
  where?: string;
}

/** Two CTEs, `sale_days` and `sales_stats (sku, warehouse_id, v7, v30, volatility, trend)`. */
export function salesStatsCtes(o: SalesStatsOptions): string {
  return `
    sale_days AS (
      SELECT sku, warehouse_id, ${o.dayIndex} AS i, -sum(quantity_change)::numeric AS units
      FROM inventory.inventory_transactions
      WHERE event_type = 'SALE' AND occurred_at >= ${o.from} AND occurred_at < ${o.to}
        ${o.where ? `AND (${o.where})` : ''}
      GROUP BY 1, 2, 3
    ), sales_stats AS (
      SELECT sku, warehouse_id,
             (coalesce(sum(units) FILTER (WHERE i >= 23), 0) / 7)::float8 AS v7,
             (sum(units) / 30)::float8 AS v30,
             sqrt(greatest(0, (30 * sum(units * units) - sum(units) * sum(units)) / 870)::float8) AS volatility,
             ((sum(i * units) - 14.5 * sum(units)) / 2247.5)::float8 AS trend
      FROM sale_days
      GROUP BY sku, warehouse_id
    )`;
}
