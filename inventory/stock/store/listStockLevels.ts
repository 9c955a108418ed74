import type { Knex } from 'knex';
import { fetchPage, type Page, type PageRequest } from '../../../db/index.js';
import { NEWEST_METRICS_JOIN, REORDER_POINT_SQL, SAFETY_STOCK_SQL } from './newestMetrics.js';

/** One pair's stock now, with the figures of its newest processed metrics. */
export interface StockLevelRow {
  sku: string;
  name: string;
  category: string;
  warehouse_id: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  /** on hand − reserved, now. */
  quantity_available: number;
  /** The newest computed reorder point, else the configured one; null when neither exists. */
  reorder_point: number | null;
  safety_stock: number | null;
  /** available / μ at the end of `metrics_date` (SPEC §5); null when μ = 0 or never computed. */
  days_of_cover: number | null;
  stockout_risk: number | null;
  expected_daily_demand: number | null;
  /** The day (YYYY-MM-DD) of the metrics shown, null when the daily ETL has not run for the pair. */
  metrics_date: string | null;
  below_reorder_point: boolean;
  last_event_at: Date | null;
}

export interface StockFilter {
  warehouseId?: string;
  category?: string;
  /** A part of the SKU or of the product name, case-insensitive. */
  search?: string;
  /** Only pairs whose available stock is at or below their reorder point. */
  belowReorderPoint?: boolean;
}

/** `%`, `_` and `\` are literal in a search, not patterns. */
const likeContaining = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Stock levels by pair, fewest days of cover first (pairs without demand, whose cover is
 * unbounded, last), then by SKU and warehouse.
 */
export function listStockLevels(
  knex: Knex,
  filter: StockFilter,
  page: PageRequest,
): Promise<Page<StockLevelRow>> {
  const q = knex
    .from('inventory.inventory_levels as l')
    .join('inventory.products as p', 'p.sku', 'l.sku')
    .joinRaw(NEWEST_METRICS_JOIN)
    .select(
      'l.sku',
      'p.name',
      'p.category',
      'l.warehouse_id',
      'l.quantity_on_hand',
      'l.quantity_reserved',
      knex.raw('(l.quantity_on_hand - l.quantity_reserved) AS quantity_available'),
      knex.raw(`${REORDER_POINT_SQL} AS reorder_point`),
      knex.raw(`${SAFETY_STOCK_SQL} AS safety_stock`),
      'm.days_of_cover',
      'm.stockout_risk',
      'm.expected_daily_demand',
      knex.raw(`to_char(m.as_of_date, 'YYYY-MM-DD') AS metrics_date`),
      knex.raw(
        `coalesce((l.quantity_on_hand - l.quantity_reserved) <= ${REORDER_POINT_SQL}, false) AS below_reorder_point`,
      ),
      'l.last_event_at',
    );
  if (filter.warehouseId) q.where('l.warehouse_id', filter.warehouseId);
  if (filter.category) q.where('p.category', filter.category);
  if (filter.search) {
    const pattern = likeContaining(filter.search);
    q.where((w) => w.whereILike('l.sku', pattern).orWhereILike('p.name', pattern));
  }
  if (filter.belowReorderPoint === true)
    q.whereRaw(`(l.quantity_on_hand - l.quantity_reserved) <= ${REORDER_POINT_SQL}`);
  if (filter.belowReorderPoint === false)
    q.whereRaw(`NOT coalesce((l.quantity_on_hand - l.quantity_reserved) <= ${REORDER_POINT_SQL}, false)`);
  q.orderByRaw('m.days_of_cover ASC NULLS LAST, l.sku, l.warehouse_id');
  return fetchPage<StockLevelRow>(q, page);
}
