import type { Knex } from 'knex';
import { fetchPage, type Page, type PageRequest } from '../../../db/index.js';
import { severityRankSql } from '../../../inventory/alerts/index.js';
import type { ReorderRecommendationRow } from './lowStockNotifications.js';

/** A recommendation as the reorder page shows it: what, how much, and by when. */
export interface ReorderRecommendationView extends ReorderRecommendationRow {
  name: string;
  lead_time_days: number;
  /** μ of the metrics the check used; null when none is stored any more. */
  expected_daily_demand: number | null;
  /** When the available stock runs out at μ per day; null when μ = 0. */
  stockout_at: Date | null;
  /**
   * The last instant an order arrives before the stock-out: `stockout_at` − lead time, never
   * before `as_of` (order now); `as_of` when μ is unknown or zero.
   */
  order_by: Date;
  /** Even an order placed at `as_of` arrives after the expected stock-out. */
  late: boolean;
  /** Available stock of the pair now, to see whether it was replenished since. */
  available_now: number | null;
  published_at: Date | null;
}

export interface ReorderFilter {
  warehouseId?: string;
  sku?: string;
  /** Every recommendation ever made, not only each pair's newest. @defaultValue false */
  history?: boolean;
}

/**
 * Reorder recommendations (the table check_low_stock writes), most urgent first: earliest
 * order-by, then most severe. By default only each pair's newest one, which supersedes the rest.
 */
export function listReorderRecommendations(
  knex: Knex,
  filter: ReorderFilter,
  page: PageRequest,
): Promise<Page<ReorderRecommendationView>> {
  const source = filter.history
    ? knex.raw('analytics.reorder_recommendations AS r')
    : knex.raw(`(SELECT DISTINCT ON (sku, warehouse_id) * FROM analytics.reorder_recommendations
                 ORDER BY sku, warehouse_id, as_of DESC) AS r`);
  const inner = knex
    .from(source)
    .join('inventory.products as p', 'p.sku', 'r.sku')
    .leftJoin('inventory.inventory_levels as l', (j) =>
      j.on('l.sku', 'r.sku').andOn('l.warehouse_id', 'r.warehouse_id'),
    )
    .joinRaw(
      // The metrics check_low_stock judged by: the newest of a day before as_of.
      `LEFT JOIN LATERAL (
         SELECT pm.expected_daily_demand AS mu FROM analytics.processed_metrics pm
         WHERE pm.sku = r.sku AND pm.warehouse_id = r.warehouse_id
           AND pm.as_of_date <= (r.as_of AT TIME ZONE 'UTC')::date - 1
         ORDER BY pm.as_of_date DESC LIMIT 1
       ) m ON true`,
    )
    .select(
      'r.recommendation_id',
      'r.sku',
      'p.name',
      'r.warehouse_id',
      'r.as_of',
      'r.severity',
      'r.quantity_available',
      'r.reorder_point',
      'r.reorder_quantity',
      'r.stockout_risk',
      'p.lead_time_days',
      knex.raw('m.mu AS expected_daily_demand'),
      knex.raw(`CASE WHEN m.mu > 0 THEN r.as_of + make_interval(secs => greatest(0, r.quantity_available) / m.mu * 86400)
                END AS stockout_at`),
      knex.raw(`CASE WHEN m.mu > 0
                  THEN r.as_of + make_interval(secs => greatest(0, greatest(0, r.quantity_available) / m.mu - p.lead_time_days) * 86400)
                  ELSE r.as_of END AS order_by`),
      knex.raw(`coalesce(greatest(0, r.quantity_available) / nullif(m.mu, 0) < p.lead_time_days, r.quantity_available <= 0)
                AS late`),
      knex.raw('(l.quantity_on_hand - l.quantity_reserved) AS available_now'),
      'r.published_at',
    );
  if (filter.warehouseId) inner.where('r.warehouse_id', filter.warehouseId);
  if (filter.sku) inner.where('r.sku', filter.sku);
  const q = knex
    .from(inner.as('x'))
    .select('x.*')
    .orderByRaw(`x.order_by, ${severityRankSql('x.severity')} DESC, x.sku, x.warehouse_id, x.as_of DESC`);
  return fetchPage<ReorderRecommendationView>(q, page);
}
