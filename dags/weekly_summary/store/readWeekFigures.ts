import type { Knex } from '../../../platform/index.js';
import { RESERVATION_TYPES_SQL } from '../../../inventory/analytics/index.js';

export type Mover = {
  sku: string;
  units: number;
};

/** Raw figures of one ISO week (Monday 00:00 UTC, seven whole days); ratios are derived in dags/weekly. */
export type WeekFigures = {
  week_start: string;
  transactions: number;
  units_in: number;
  units_out: number;
  units_sold: number;
  sales_value: number;
  cost_of_goods_sold: number;
  /** Units sold per day, Monday first. */
  daily_units_sold: number[];
  /** Snapshot rows (pair-days) in the week, and those with nothing available. */
  pair_days: number;
  stockout_pair_days: number;
  /** Mean over the snapshotted days of the total inventory value; null without snapshots. */
  avg_inventory_value: number | null;
  /** Units asked for by sales on snapshotted pair-days, and those that stock covered. */
  units_demanded: number;
  units_filled: number;
  /** Mean score of the data_quality runs whose interval ended in the week; null without runs. */
  dq_score: number | null;
  dq_runs: number;
  top_movers: Mover[];
  /** SKUs with stock at the end of the week that sold least. */
  bottom_movers: Mover[];
};

/**
 * Everything weekly_summary reports about one week, in one statement: throughput from the
 * ledger; stock-out rate, inventory value and fill rate from the daily snapshots (a pair-day's
 * sales were covered up to the stock it had: end-of-day on-hand plus the day's outflow); movers
 * by units sold per SKU; the mean data-quality score.
 */
export async function readWeekFigures(knex: Knex, weekStart: string, movers = 5): Promise<WeekFigures> {
  const { rows } = await knex.raw(
    `
    WITH tx AS (
      SELECT t.sku, t.warehouse_id, t.event_type, t.quantity_change, p.unit_cost, p.unit_price,
             (t.occurred_at AT TIME ZONE 'UTC')::date AS day
      FROM inventory.inventory_transactions t JOIN inventory.products p ON p.sku = t.sku
      WHERE t.occurred_at >= (CAST(:ws AS date)::timestamp AT TIME ZONE 'UTC')
        AND t.occurred_at < ((CAST(:ws AS date) + 7)::timestamp AT TIME ZONE 'UTC')
    ), throughput AS (
      SELECT count(*)::int AS transactions,
             coalesce(sum(quantity_change) FILTER (WHERE quantity_change > 0 AND event_type NOT IN ${RESERVATION_TYPES_SQL}), 0)::bigint AS units_in,
             coalesce(-sum(quantity_change) FILTER (WHERE quantity_change < 0 AND event_type NOT IN ${RESERVATION_TYPES_SQL}), 0)::bigint AS units_out,
             coalesce(-sum(quantity_change) FILTER (WHERE event_type = 'SALE'), 0)::bigint AS units_sold,
             coalesce(-sum(quantity_change * unit_price) FILTER (WHERE event_type = 'SALE'), 0) AS sales_value,
             coalesce(-sum(quantity_change * unit_cost) FILTER (WHERE event_type = 'SALE'), 0) AS cost_of_goods_sold
      FROM tx
    ), sales AS (
      SELECT sku, warehouse_id, day, -sum(quantity_change) AS sold FROM tx WHERE event_type = 'SALE' GROUP BY 1, 2, 3
    ), daily AS (
      SELECT jsonb_agg(coalesce(s.units, 0) ORDER BY g.d) AS daily_units_sold
      FROM generate_series(0, 6) AS g(d)
      LEFT JOIN (SELECT day - CAST(:ws AS date) AS d, sum(sold) AS units FROM sales GROUP BY 1) s ON s.d = g.d
    ), snap AS (
      SELECT * FROM analytics.daily_inventory_snapshots
      WHERE snapshot_date >= CAST(:ws AS date) AND snapshot_date < CAST(:ws AS date) + 7
    ), stock AS (
      SELECT count(*)::int AS pair_days, (count(*) FILTER (WHERE quantity_available <= 0))::int AS stockout_pair_days,
             sum(inventory_value) / nullif(count(DISTINCT snapshot_date), 0) AS avg_inventory_value
      FROM snap
    ), fill AS (
      SELECT coalesce(sum(x.sold), 0)::bigint AS units_demanded,
             coalesce(sum(least(x.sold, greatest(0, s.quantity_on_hand + s.units_out))), 0)::bigint AS units_filled
      FROM snap s JOIN sales x ON x.sku = s.sku AND x.warehouse_id = s.warehouse_id AND x.day = s.snapshot_date
    ), sku_sales AS (
      SELECT sku, sum(sold)::bigint AS units FROM sales GROUP BY sku
    ), after_week AS (
      SELECT sku, warehouse_id, sum(quantity_change) AS change FROM inventory.inventory_transactions
      WHERE occurred_at >= ((CAST(:ws AS date) + 7)::timestamp AT TIME ZONE 'UTC')
        AND event_type NOT IN ${RESERVATION_TYPES_SQL}
      GROUP BY 1, 2
    ), stock_at_end AS (
      SELECT l.sku, sum(l.quantity_on_hand - coalesce(a.change, 0)) AS on_hand
      FROM inventory.inventory_levels l
      LEFT JOIN after_week a ON a.sku = l.sku AND a.warehouse_id = l.warehouse_id
      GROUP BY l.sku
    ), top AS (
      SELECT coalesce(jsonb_agg(jsonb_build_object('sku', sku, 'units', units) ORDER BY units DESC, sku), '[]') AS top_movers
      FROM (SELECT sku, units FROM sku_sales ORDER BY units DESC, sku LIMIT :movers) t
    ), bottom AS (
      SELECT coalesce(jsonb_agg(jsonb_build_object('sku', sku, 'units', units) ORDER BY units, sku), '[]') AS bottom_movers
      FROM (SELECT e.sku, coalesce(s.units, 0) AS units FROM stock_at_end e LEFT JOIN sku_sales s ON s.sku = e.sku
            WHERE e.on_hand > 0 ORDER BY 2, 1 LIMIT :movers) b
    ), dq AS (
      SELECT round(avg(score)::numeric, 1)::float8 AS dq_score, count(*)::int AS dq_runs
      FROM analytics.data_quality_runs
      WHERE dag_id = 'data_quality'
        AND interval_end > (CAST(:ws AS date)::timestamp AT TIME ZONE 'UTC')
        AND interval_end <= ((CAST(:ws AS date) + 7)::timestamp AT TIME ZONE 'UTC')
    )
    SELECT to_char(CAST(:ws AS date), 'YYYY-MM-DD') AS week_start, throughput.*, daily.*, stock.*, fill.*, dq.*, top.*, bottom.*
    FROM throughput, daily, stock, fill, dq, top, bottom
    `,
    { ws: weekStart, movers },
  );
  const r = rows[0];
  return { ...r, avg_inventory_value: r.avg_inventory_value === null ? null : Number(r.avg_inventory_value) };
}
