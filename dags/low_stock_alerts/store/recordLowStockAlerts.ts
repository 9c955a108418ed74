import {
  ALERT_SOURCES,
  LOW_STOCK_ALERT,
  dedupKeySql,
  insertAlertsSelect,
  severityRankSql,
  sqlLiteral,
  type Severity,
} from '../../../inventory/alerts/index.js';
import { Z_95 } from '../../../inventory/analytics/index.js';
import type { Knex } from '../../../platform/index.js';

export const LOW_STOCK_SOURCE = ALERT_SOURCES.lowStock;

/** The stored alert, from the `fresh` rows of the statement below. */
const INSERT_ALERTS = insertAlertsSelect(
  {
    alertType: LOW_STOCK_ALERT,
    source: LOW_STOCK_SOURCE,
    severity: 'severity',
    sku: 'sku',
    warehouseId: 'warehouse_id',
    message: `format('%s at %s: %s available, reorder point %s, stock-out risk %s%%', sku, warehouse_id, available,
                    round(reorder_point::numeric, 1), round(100 * risk::numeric, 1))`,
    details: `jsonb_build_object('as_of', to_jsonb(:asOf::timestamptz), 'run_key', :runKey::text,
                                'metrics_date', as_of_date, 'available', available,
                                'reorder_point', reorder_point, 'stockout_risk', risk,
                                'expected_daily_demand', mu, 'reorder_quantity', reorder_quantity)`,
    dedupKey: 'dedup_key',
  },
  `FROM fresh
      RETURNING sku, warehouse_id, severity`,
);

/**
 * check_low_stock, in one statement: every pair whose stock at `asOf` (today's level minus the
 * changes after `asOf`) is at or below its reorder point, has a stock-out risk ≥ 0.2, or has
 * nothing available — judged with its newest processed metrics of a day before `asOf` (at most a
 * week old), the risk recomputed for the stock at `asOf` (SPEC §5).
 *
 * An alert is stored unless the pair already has one from this source whose as-of instant lies in
 * (asOf − cooldown, asOf] with the same or a higher severity: no repeats within the cooldown
 * unless the severity rises, and a rerun of the same interval adds nothing. Each new alert with a
 * positive reorder quantity also gets a reorder recommendation (the reorder-events outbox).
 * Returns the pairs assessed, those found low, the new alerts (also by severity) and the new
 * recommendations.
 */
export async function recordLowStockAlerts(
  knex: Knex,
  options: { asOf: Date; cooldownHours: number; runKey: string },
): Promise<{
  assessed: number;
  lowStock: number;
  newAlerts: number;
  bySeverity: Partial<Record<Severity, number>>;
  recommendations: number;
}> {
  const { rows } = await knex.raw(
    `
    WITH latest AS (
      SELECT DISTINCT ON (sku, warehouse_id) sku, warehouse_id, as_of_date, expected_daily_demand AS mu,
             safety_stock / :z AS sigma_l, reorder_point
      FROM analytics.processed_metrics
      WHERE as_of_date <= (:asOf::timestamptz AT TIME ZONE 'UTC')::date - 1
        AND as_of_date >= (:asOf::timestamptz AT TIME ZONE 'UTC')::date - 8
      ORDER BY sku, warehouse_id, as_of_date DESC
    ), after_as_of AS (
      SELECT sku, warehouse_id,
             sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')) AS on_hand,
             sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')) AS reserved
      FROM inventory.inventory_transactions WHERE occurred_at >= :asOf GROUP BY sku, warehouse_id
    ), stock AS (
      SELECT m.*, p.lead_time_days::float8 AS l,
             (lv.quantity_on_hand - coalesce(a.on_hand, 0)) - (lv.quantity_reserved - coalesce(a.reserved, 0)) AS available
      FROM latest m
      JOIN inventory.inventory_levels lv ON lv.sku = m.sku AND lv.warehouse_id = m.warehouse_id
      JOIN inventory.products p ON p.sku = m.sku
      LEFT JOIN after_as_of a ON a.sku = m.sku AND a.warehouse_id = m.warehouse_id
    ), assessed AS (
      SELECT *,
             CASE WHEN sigma_l = 0 THEN CASE WHEN available < mu * l THEN 1 ELSE 0 END
                  ELSE 1 - analytics.normal_cdf((available - mu * l) / sigma_l) END AS risk,
             greatest(0, ceil(reorder_point + 7 * mu - available))::int AS reorder_quantity
      FROM stock
    ), low AS (
      SELECT *,
             CASE WHEN available <= 0 THEN 'critical' WHEN risk >= 0.5 THEN 'high'
                  WHEN risk >= 0.2 THEN 'medium' ELSE 'low' END AS severity,
             ${dedupKeySql({ source: LOW_STOCK_SOURCE, sku: 'sku', warehouseId: 'warehouse_id' })} AS dedup_key
      FROM assessed
      WHERE available <= reorder_point OR risk >= 0.2 OR available <= 0
    ), fresh AS (
      SELECT low.* FROM low
      WHERE NOT EXISTS (
        SELECT 1 FROM analytics.alerts a
        WHERE a.dedup_key = low.dedup_key AND a.source = ${sqlLiteral(LOW_STOCK_SOURCE)}
          AND (a.details->>'as_of')::timestamptz > :asOf::timestamptz - make_interval(hours => :cooldown)
          AND (a.details->>'as_of')::timestamptz <= :asOf::timestamptz
          AND ${severityRankSql('a.severity')} >= ${severityRankSql('low.severity')})
    ), inserted AS (
      ${INSERT_ALERTS}
    ), recommended AS (
      INSERT INTO analytics.reorder_recommendations
        (recommendation_id, sku, warehouse_id, as_of, severity, quantity_available, reorder_point,
         reorder_quantity, stockout_risk)
      SELECT f.sku || ':' || f.warehouse_id || ':' || to_char(:asOf::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
             f.sku, f.warehouse_id, :asOf, f.severity, f.available, f.reorder_point, f.reorder_quantity, f.risk
      FROM fresh f WHERE f.reorder_quantity > 0
      ON CONFLICT (recommendation_id) DO NOTHING
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM assessed)::int AS assessed, (SELECT count(*) FROM low)::int AS low_stock,
           (SELECT count(*) FROM inserted)::int AS new_alerts,
           (SELECT coalesce(jsonb_object_agg(severity, n), '{}') FROM
              (SELECT severity, count(*)::int AS n FROM inserted GROUP BY severity) s) AS by_severity,
           (SELECT count(*) FROM recommended)::int AS recommendations
    `,
    { asOf: options.asOf, cooldown: options.cooldownHours, runKey: options.runKey, z: Z_95 },
  );
  return {
    assessed: rows[0].assessed,
    lowStock: rows[0].low_stock,
    newAlerts: rows[0].new_alerts,
    bySeverity: rows[0].by_severity,
    recommendations: rows[0].recommendations,
  };
}
