import type { Metrics } from '../../../inventory/analytics/index.js';
import type { Knex } from '../../../platform/index.js';

/** A row of `analytics.processed_metrics`: one pair's SPEC §5 metrics at the end of a day. */
export interface ProcessedMetricsRow extends Metrics {
  sku: string;
  warehouse_id: string;
  as_of_date: string;
  quantity_on_hand: number;
  quantity_reserved: number;
}

/**
 * Day D's processed metrics in (sku, warehouse_id) order, read in keyset-paginated batches so
 * 50,000 pairs never sit in one result set.
 */
export async function* readProcessedMetrics(
  knex: Knex,
  day: string,
  batchSize = 10_000,
): AsyncGenerator<ProcessedMetricsRow[]> {
  let after: [string, string] = ['', ''];
  for (;;) {
    const { rows } = await knex.raw(
      `SELECT sku, warehouse_id, as_of_date, quantity_on_hand, quantity_reserved, velocity_7d, velocity_30d,
              volatility, trend, seasonality_index, expected_daily_demand, stockout_risk, days_of_cover,
              safety_stock, reorder_point, reorder_quantity
       FROM analytics.processed_metrics
       WHERE as_of_date = CAST(:day AS date) AND (sku, warehouse_id) > (:sku, :wh)
       ORDER BY sku, warehouse_id LIMIT :limit`,
      { day, sku: after[0], wh: after[1], limit: batchSize },
    );
    if (rows.length === 0) return;
    yield rows as ProcessedMetricsRow[];
    const last = rows[rows.length - 1];
    after = [last.sku, last.warehouse_id];
    if (rows.length < batchSize) return;
  }
}
