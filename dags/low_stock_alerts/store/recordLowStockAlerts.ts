import {
  ALERT_SOURCES,
  LOW_STOCK_ALERT,
  dedupKeySql,
  insertAlertsSelect,
  severityRankSql,
  sqlLiteral,
  type Severity,
} from '../../../inventory/alerts/index.js';
import {
  LEAD_TIME_DEMAND_SQL,
  STOCKOUT_Z_SQL,
  Z_95,
  calibratedSql,
  calibrationParams,
  onOrderCte,
} from '../../../inventory/analytics/index.js';
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
    message: `format('%s at %s: %s available, %s on order, reorder point %s, stock-out probability %s%%', sku,
                    warehouse_id, available, on_order, round(reorder_point::numeric, 1), round(100 * probability::numeric, 1))`,
    details: `jsonb_build_object('as_of', to_jsonb(:asOf::timestamptz), 'run_key', :runKey::text,
                                'metrics_date', as_of_date, 'available', available,
                                'reorder_point', reorder_point, 'stockout_risk', risk,
                                'on_order', on_order, 'stockout_probability', probability,
                                'expected_daily_demand', mu, 'reorder_quantity', reorder_quantity)`,
    dedupKey: 'dedup_key',
  },
  `FROM fresh
      RETURNING sku, warehouse_id, severity`,
);

/**
 * check_low_stock, in one statement: every pair whose inventory position at `asOf` (on-hand +
 * on order − reserved, the stock today's level minus the changes after `asOf`, on order from
 * inventory.purchase_orders and their receipts) is at or below its reorder point, whose
 * stock-out probability is ≥ 0.2, or that has nothing available — judged with its newest
 * processed metrics of a day before `asOf` (at most a week old), the probability recomputed for
 * the position at `asOf` (SPEC §5). Severity: critical when nothing is available, high at
 * probability ≥ 0.5, medium at ≥ 0.2, else low. A pair whose open orders cover its reorder point
 * is not alerted. The first-round `stockout_risk` (available only) is kept in the details.
 *
 * An alert is stored unless the pair already has one from this source whose as-of instant lies in
 * (asOf − cooldown, asOf] with the same or a higher severity: no repeats within the cooldown
 * unless the severity rises, and a rerun of the same interval adds nothing. Each new alert with a
 * positive reorder quantity (reorder point + 7μ − position) also gets a reorder recommendation
 * (the reorder-events outbox). Returns the pairs assessed, those found low, the new alerts (also
 * by severity) and the new recommendations.
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
    WITH ${onOrderCte(':asOf::timestamptz')},
    latest AS (
      SELECT DISTINCT ON (sku, warehouse_id) sku, warehouse_id, as_of_date, expected_daily_demand AS mu,
             safety_stock / :z AS sigma_l, volatility, reorder_point
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
             (lv.quantity_on_hand - coalesce(a.on_hand, 0)) - (lv.quantity_reserved - coalesce(a.reserved, 0)) AS available,
             coalesce(oo.units, 0) AS on_order,
             extract(epoch FROM oo.next_expected_at - :asOf::timestamptz) / 86400 AS receipt_days
      FROM latest m
      JOIN inventory.inventory_levels lv ON lv.sku = m.sku AND lv.warehouse_id = m.warehouse_id
      JOIN inventory.products p ON p.sku = m.sku
      LEFT JOIN after_as_of a ON a.sku = m.sku AND a.warehouse_id = m.warehouse_id
      LEFT JOIN on_order oo ON oo.sku = m.sku AND oo.warehouse_id = m.warehouse_id
    ), positioned AS (
      SELECT *, (available + on_order)::float8 AS position, ${LEAD_TIME_DEMAND_SQL} FROM stock
    ), scored AS (
      SELECT *, ${STOCKOUT_Z_SQL} AS stockout_z FROM positioned
    ), assessed AS (
      SELECT *,
             CASE WHEN sigma_l = 0 THEN CASE WHEN available < mu * l THEN 1 ELSE 0 END
                  ELSE 1 - analytics.normal_cdf((available - mu * l) / sigma_l) END AS risk,
             ${calibratedSql('stockout_z')} AS probability,
             greatest(0, ceil(reorder_point + 7 * mu - position))::int AS reorder_quantity
      FROM scored
    ), low AS (
      SELECT *,
             CASE WHEN available <= 0 THEN 'critical' WHEN probability >= 0.5 THEN 'high'
                  WHEN probability >= 0.2 THEN 'medium' ELSE 'low' END AS severity,
             ${dedupKeySql({ source: LOW_STOCK_SOURCE, sku: 'sku', warehouseId: 'warehouse_id' })} AS dedup_key
      FROM assessed
      WHERE position <= reorder_point OR probability >= 0.2 OR available <= 0
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
    {
      asOf: options.asOf,
      cooldown: options.cooldownHours,
      runKey: options.runKey,
      z: Z_95,
      ...calibrationParams(),
    },
  );
  return {
    assessed: rows[0].assessed,
    lowStock: rows[0].low_stock,
    newAlerts: rows[0].new_alerts,
    bySeverity: rows[0].by_severity,
    recommendations: rows[0].recommendations,
  };
}
