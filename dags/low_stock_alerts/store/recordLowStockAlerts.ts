import {
  ALERT_SOURCES,
  LOW_STOCK_ALERT,
  LOW_STOCK_CLEAR_MARGIN,
  RESOLUTIONS,
  STOCKOUT_ALERT_AT,
  STOCKOUT_RESOLVE_BELOW,
  STOCKOUT_WARNING_MIN_HISTORY_DAYS,
  dedupKeySql,
  insertAlertsSelect,
  severityRankSql,
  sqlLiteral,
  type Severity,
} from '../../../inventory/alerts/index.js';
import {
  LEAD_TIME_DEMAND_SQL,
  STOCKOUT_Z_SQL,
  calibratedSql,
  calibrationParams,
  oldestOpenOrder,
  onOrderCte,
} from '../../../inventory/analytics/index.js';
import type { Knex } from '../../../platform/index.js';

export const LOW_STOCK_SOURCE = ALERT_SOURCES.lowStock;

/** The stored alert (an upsert on the pair's open one), from the `low` rows of the statement below. */
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
    seenAt: ':asOf::timestamptz',
  },
  `FROM low`,
);

/**
 * check_low_stock, in one statement: every pair whose inventory position at `asOf` (on-hand +
 * on order − reserved, the stock today's level minus the changes after `asOf`, on order from
 * inventory.purchase_orders and their receipts) is at or below its reorder point, whose
 * stock-out probability is ≥ 0.2, or that has nothing available — judged with its newest
 * processed metrics of a day before `asOf` (at most a week old): the demand over the lead time
 * that row was planned on (its day's forecast, `lead_time_demand_mean` / `_sigma`; the §5
 * statistics on rows from before it), the probability recomputed for the position at `asOf`
 * (SPEC §5). Severity: critical when nothing is available, high at probability ≥ 0.5, medium at
 * ≥ 0.2, else low. Only pairs with nothing available or a probability at the alert threshold
 * (`isStockoutAlert`: `STOCKOUT_ALERT_AT` on a forecast of at least four weeks of sales, as the
 * stream's stock-out alert) are alerts, worth a person's attention;
 * the others get a reorder recommendation, which their planner acts on, and no alert. A pair
 * whose open orders cover its reorder point is neither. The first-round `stockout_risk`
 * (available only, §5 statistics) is kept in the details.
 *
 * Each low pair's alert is an incident (docs/SPEC.md §5a): it opens once, and while it is open a
 * later run only updates it (last seen = `asOf`, occurrences, a higher severity); a rerun of the
 * same interval changes nothing. The pair's open alert resolves (`cleared`) in a run that finds
 * an inventory position above its reorder point by `LOW_STOCK_CLEAR_MARGIN`, something available
 * and a stock-out probability under `STOCKOUT_RESOLVE_BELOW` — hysteresis, so stock wobbling at the reorder point does not flap.
 * New alerts counts openings and escalations, the ones the digest mails. A pair without an alert
 * from this source whose as-of lies in (asOf − cooldown, asOf] at the same or a higher severity
 * also gets a reorder recommendation (the reorder-events outbox) when its quantity is positive.
 * Returns the pairs assessed, those found low, the new alerts (also by severity), the alerts
 * resolved and the new recommendations.
 */
export async function recordLowStockAlerts(
  knex: Knex,
  options: { asOf: Date; cooldownHours: number; runKey: string },
): Promise<{
  assessed: number;
  lowStock: number;
  newAlerts: number;
  bySeverity: Partial<Record<Severity, number>>;
  resolved: number;
  recommendations: number;
}> {
  // Every receipt the on-order lookup counts is booked no earlier than the oldest order open at
  // asOf was placed: bound as a value, the ledger is planned from that month on.
  const receiptsFrom = await oldestOpenOrder(knex, options.asOf);
  const { rows } = await knex.raw(
    `
    WITH ${onOrderCte(':asOf::timestamptz', 'true', 'CAST(:receiptsFrom AS timestamptz)')},
    latest AS (
      SELECT DISTINCT ON (sku, warehouse_id) sku, warehouse_id, as_of_date, expected_daily_demand AS mu,
             volatility, reorder_point, lead_time_demand_mean AS f_mean, lead_time_demand_sigma AS f_sigma
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
      SELECT m.*, p.lead_time_days::float8 AS l, m.volatility * sqrt(p.lead_time_days) AS sigma_l,
             coalesce(f.training_days, 0) AS history_days,
             (lv.quantity_on_hand - coalesce(a.on_hand, 0)) - (lv.quantity_reserved - coalesce(a.reserved, 0)) AS available,
             coalesce(oo.units, 0) AS on_order,
             extract(epoch FROM oo.next_expected_at - :asOf::timestamptz) / 86400 AS receipt_days
      FROM latest m
      JOIN inventory.inventory_levels lv ON lv.sku = m.sku AND lv.warehouse_id = m.warehouse_id
      JOIN inventory.products p ON p.sku = m.sku
      LEFT JOIN analytics.lead_time_demand f
        ON f.sku = m.sku AND f.warehouse_id = m.warehouse_id AND f.as_of_date = m.as_of_date
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
             greatest(0, ceil(reorder_point + 7 * ltd_daily - position))::int AS reorder_quantity
      FROM scored
    ), needs AS (
      SELECT *,
             CASE WHEN available <= 0 THEN 'critical' WHEN probability >= 0.5 THEN 'high'
                  WHEN probability >= 0.2 THEN 'medium' ELSE 'low' END AS severity,
             ${dedupKeySql({ source: LOW_STOCK_SOURCE, sku: 'sku', warehouseId: 'warehouse_id' })} AS dedup_key
      FROM assessed
      WHERE position <= reorder_point OR probability >= 0.2 OR available <= 0
    ), low AS (
      SELECT * FROM needs WHERE available <= 0 OR (history_days >= :minHistory AND probability >= :alertAt)
    ), fresh AS (
      SELECT low.* FROM needs low
      WHERE NOT EXISTS (
        SELECT 1 FROM analytics.alerts a
        WHERE a.dedup_key = low.dedup_key AND a.source = ${sqlLiteral(LOW_STOCK_SOURCE)}
          AND (a.details->>'as_of')::timestamptz > :asOf::timestamptz - make_interval(hours => :cooldown)
          AND (a.details->>'as_of')::timestamptz <= :asOf::timestamptz
          AND ${severityRankSql('a.severity')} >= ${severityRankSql('low.severity')})
    ), prior AS (
      SELECT a.dedup_key, a.severity FROM analytics.alerts a JOIN low USING (dedup_key)
      WHERE a.resolved_at IS NULL
    ), written AS (
      ${INSERT_ALERTS}
    ), inserted AS (
      SELECT w.* FROM written w LEFT JOIN prior p USING (dedup_key)
      WHERE w.opened OR ${severityRankSql('w.severity')} > ${severityRankSql('p.severity')}
    ), resolved AS (
      UPDATE analytics.alerts a SET resolved_at = :asOf, resolution = ${sqlLiteral(RESOLUTIONS.cleared)}
      FROM assessed s
      WHERE a.resolved_at IS NULL AND a.source = ${sqlLiteral(LOW_STOCK_SOURCE)}
        AND a.dedup_key = ${dedupKeySql({ source: LOW_STOCK_SOURCE, sku: 's.sku', warehouseId: 's.warehouse_id' })}
        AND a.opened_at <= :asOf::timestamptz
        AND s.available > 0 AND s.probability < :resolveBelow
        AND s.position > s.reorder_point + greatest(1, :margin * s.reorder_point)
      RETURNING 1
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
    SELECT (SELECT count(*) FROM assessed)::int AS assessed, (SELECT count(*) FROM needs)::int AS low_stock,
           (SELECT count(*) FROM inserted)::int AS new_alerts,
           (SELECT coalesce(jsonb_object_agg(severity, n), '{}') FROM
              (SELECT severity, count(*)::int AS n FROM inserted GROUP BY severity) s) AS by_severity,
           (SELECT count(*) FROM resolved)::int AS resolved,
           (SELECT count(*) FROM recommended)::int AS recommendations
    `,
    {
      asOf: options.asOf,
      receiptsFrom,
      cooldown: options.cooldownHours,
      runKey: options.runKey,
      alertAt: STOCKOUT_ALERT_AT,
      minHistory: STOCKOUT_WARNING_MIN_HISTORY_DAYS,
      resolveBelow: STOCKOUT_RESOLVE_BELOW,
      margin: LOW_STOCK_CLEAR_MARGIN,
      ...calibrationParams(),
    },
  );
  return {
    assessed: rows[0].assessed,
    lowStock: rows[0].low_stock,
    newAlerts: rows[0].new_alerts,
    bySeverity: rows[0].by_severity,
    resolved: rows[0].resolved,
    recommendations: rows[0].recommendations,
  };
}
