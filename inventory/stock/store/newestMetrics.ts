/**
 * The newest `analytics.processed_metrics` row of the pair `l` (a row with `sku` and
 * `warehouse_id`), joined as `m`: one index probe per pair on the table's primary key. The stock
 * list and the pair page both read the pair's figures so, hence one fragment.
 */
export const NEWEST_METRICS_JOIN = `LEFT JOIN LATERAL (
    SELECT pm.* FROM analytics.processed_metrics pm
    WHERE pm.sku = l.sku AND pm.warehouse_id = l.warehouse_id
    ORDER BY pm.as_of_date DESC LIMIT 1
  ) m ON true`;

/**
 * The reorder point and safety stock a pair is judged by: the newest computed ones (SPEC §5),
 * else the ones configured on its level row (a pair the daily ETL has not seen yet).
 */
export const REORDER_POINT_SQL = 'coalesce(m.reorder_point, l.reorder_point::float8)';
export const SAFETY_STOCK_SQL = 'coalesce(m.safety_stock, l.safety_stock::float8)';
