import { bind } from '../../../db/index.js';
import type { Knex } from '../../../platform/index.js';
import {
  ALERT_SOURCES,
  STOCKOUT_ALERT,
  severityRankSql,
  sqlLiteral,
} from '../../../inventory/alerts/index.js';
import { LOW_STOCK_SOURCE } from './recordLowStockAlerts.js';

export interface LowStockAlertRow {
  id: number;
  severity: 'low' | 'medium' | 'high' | 'critical';
  sku: string;
  warehouse_id: string;
  message: string;
  available: number;
  reorder_point: number;
  stockout_risk: number;
  /** The calibrated probability the alert was decided on (SPEC §5); null on older alerts. */
  stockout_probability: number | null;
  reorder_quantity: number;
  /**
   * The stream's open stock-out alert of the same pair at this severity or above and high or
   * critical (so the stream has e-mailed it already): its alert_id; null when there is none.
   */
  paged_by: string | null;
}

/**
 * Open low-stock alerts not yet e-mailed, most severe and most probable first: new incidents and
 * escalations (an escalation drops `notified_at`); a repeat keeps it, a resolved one is never mailed.
 * Each says whether the stream's stock-out alert has already paged someone about the pair
 * (`paged_by`), so the digest does not page twice for one incident.
 */
export async function readUnnotifiedLowStockAlerts(knex: Knex): Promise<LowStockAlertRow[]> {
  const { rows } = await knex.raw(
    `SELECT id, severity, sku, warehouse_id, message, (details->>'available')::int AS available,
            (details->>'reorder_point')::float8 AS reorder_point, (details->>'stockout_risk')::float8 AS stockout_risk,
            (details->>'stockout_probability')::float8 AS stockout_probability,
            (details->>'reorder_quantity')::int AS reorder_quantity,
            (SELECT s.alert_id::text FROM analytics.alerts s
             WHERE s.source = ${sqlLiteral(ALERT_SOURCES.streaming)} AND s.alert_type = ${sqlLiteral(STOCKOUT_ALERT)}
               AND s.sku = a.sku AND s.warehouse_id = a.warehouse_id AND s.resolved_at IS NULL
               AND ${severityRankSql('s.severity')} >= greatest(${severityRankSql('a.severity')}, ${severityRankSql("'high'")})
             ORDER BY s.opened_at LIMIT 1) AS paged_by
     FROM analytics.alerts a
     WHERE source = ? AND details->>'notified_at' IS NULL AND resolved_at IS NULL
     ORDER BY array_position(ARRAY['critical','high','medium','low'], severity),
              coalesce(details->>'stockout_probability', details->>'stockout_risk')::float8 DESC,
              sku, warehouse_id`,
    [LOW_STOCK_SOURCE],
  );
  return rows;
}

/**
 * Records that these alerts went out (in a digest, or paged already by the stream's alert
 * `pagedBy`, kept as `details.paged_by`), so a rerun does not mail them again.
 */
export async function markLowStockAlertsNotified(
  knex: Knex,
  alerts: ReadonlyArray<{ id: number; paged_by?: string | null }>,
  at: Date,
): Promise<void> {
  if (alerts.length === 0) return;
  await knex.raw(
    `UPDATE analytics.alerts a
     SET details = a.details || jsonb_build_object('notified_at', to_jsonb(?::timestamptz))
                   || CASE WHEN n.paged_by IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('paged_by', n.paged_by) END
     FROM unnest(?::bigint[], ?::text[]) AS n(id, paged_by)
     WHERE a.id = n.id`,
    bind(
      at,
      alerts.map((a) => a.id),
      alerts.map((a) => a.paged_by ?? null),
    ),
  );
}

/** A row of `analytics.reorder_recommendations`. */
export interface ReorderRecommendationRow {
  recommendation_id: string;
  sku: string;
  warehouse_id: string;
  /** The instant the check ran (the low_stock_alerts run's interval end). */
  as_of: Date;
  severity: string;
  quantity_available: number;
  reorder_point: number;
  /** How much to order (SPEC §5 reorder_quantity at `as_of`). */
  reorder_quantity: number;
  stockout_risk: number;
}

/** Recommendations not yet published to reorder-events (the outbox), oldest first. */
export async function readUnpublishedRecommendations(
  knex: Knex,
  limit = 10_000,
): Promise<ReorderRecommendationRow[]> {
  return knex('analytics.reorder_recommendations')
    .whereNull('published_at')
    .orderBy(['created_at', 'recommendation_id'])
    .limit(limit)
    .select(
      'recommendation_id',
      'sku',
      'warehouse_id',
      'as_of',
      'severity',
      'quantity_available',
      'reorder_point',
      'reorder_quantity',
      'stockout_risk',
    );
}

export async function markRecommendationsPublished(
  knex: Knex,
  ids: readonly string[],
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await knex('analytics.reorder_recommendations')
    .whereIn('recommendation_id', ids)
    .update({ published_at: at });
}
