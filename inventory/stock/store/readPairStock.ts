import type { Knex } from 'knex';
import type { Metrics } from '../../analytics/index.js';
import { NEWEST_METRICS_JOIN, REORDER_POINT_SQL, SAFETY_STOCK_SQL } from './newestMetrics.js';

/** The SPEC §5 metrics of one pair on one day, as the daily ETL stored them. */
export interface PairMetrics extends Metrics {
  as_of_date: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  computed_at: Date;
}

/** One pair now: its level, its product, and its newest processed metrics (null before any). */
export interface PairStock {
  sku: string;
  name: string;
  category: string;
  lead_time_days: number;
  unit_cost: number;
  warehouse_id: string;
  warehouse_name: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  quantity_available: number;
  reorder_point: number | null;
  safety_stock: number | null;
  last_event_at: Date | null;
  metrics: PairMetrics | null;
}

/** The pair's stock and newest metrics; undefined when the warehouse holds no level row for the SKU. */
export async function readPairStock(
  knex: Knex,
  sku: string,
  warehouseId: string,
): Promise<PairStock | undefined> {
  const { rows } = await knex.raw(
    `SELECT l.sku, p.name, p.category, p.lead_time_days, p.unit_cost::float8 AS unit_cost,
            l.warehouse_id, w.name AS warehouse_name, l.quantity_on_hand, l.quantity_reserved,
            l.quantity_on_hand - l.quantity_reserved AS quantity_available,
            ${REORDER_POINT_SQL} AS reorder_point, ${SAFETY_STOCK_SQL} AS safety_stock, l.last_event_at,
            CASE WHEN m.sku IS NULL THEN NULL ELSE jsonb_build_object(
              'as_of_date', to_char(m.as_of_date, 'YYYY-MM-DD'),
              'quantity_on_hand', m.quantity_on_hand, 'quantity_reserved', m.quantity_reserved,
              'velocity_7d', m.velocity_7d, 'velocity_30d', m.velocity_30d, 'volatility', m.volatility,
              'trend', m.trend, 'seasonality_index', m.seasonality_index,
              'expected_daily_demand', m.expected_daily_demand, 'stockout_risk', m.stockout_risk,
              'days_of_cover', m.days_of_cover, 'safety_stock', m.safety_stock,
              'reorder_point', m.reorder_point, 'reorder_quantity', m.reorder_quantity,
              'computed_at', m.computed_at) END AS metrics
     FROM inventory.inventory_levels l
     JOIN inventory.products p ON p.sku = l.sku
     JOIN inventory.warehouses w ON w.warehouse_id = l.warehouse_id
     ${NEWEST_METRICS_JOIN}
     WHERE l.sku = :sku AND l.warehouse_id = :warehouseId`,
    { sku, warehouseId },
  );
  const row = rows[0] as (Omit<PairStock, 'metrics'> & { metrics: PairMetrics | null }) | undefined;
  if (!row) return undefined;
  if (row.metrics) row.metrics.computed_at = new Date(row.metrics.computed_at);
  return row;
}
