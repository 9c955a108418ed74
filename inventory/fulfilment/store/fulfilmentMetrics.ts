import type { Knex } from 'knex';

/** Fulfilment figures of one warehouse over one period (CONTRACT.md, "Fulfilment metrics"). */
export interface FulfilmentMetrics {
  warehouse_id: string;
  /** Orders created in the period, their lines and units. */
  orders_created: number;
  lines_ordered: number;
  units_ordered: number;
  /** Of those units, the ones reserved before the period ended. */
  units_reserved_same_day: number;
  /** units_reserved_same_day / units_ordered (null without orders). */
  fill_rate: number | null;
  /** Lines created in the period, neither reserved nor cancelled by its end. */
  backorders: number;
  /** Lines picked in the period, and the time from their order's creation (seconds). */
  lines_picked: number;
  order_to_pick_p50_s: number | null;
  order_to_pick_p95_s: number | null;
  /** Shipments dispatched in the period, and the time from their order's last pick (seconds). */
  shipments_dispatched: number;
  pick_to_dispatch_p50_s: number | null;
  pick_to_dispatch_p95_s: number | null;
  /** Orders promised to leave in the period (not cancelled before the promise), and those that did. */
  orders_due: number;
  dispatched_on_time: number;
  on_time_dispatch_rate: number | null;
  /** Shipments delivered in the period, and the carrier's time from dispatch (seconds). */
  shipments_delivered: number;
  delivery_p50_s: number | null;
  delivery_p95_s: number | null;
  /** EXCEPTION events in the period, and the shipments they concern. */
  exceptions: number;
  shipments_with_exception: number;
}

const pct = (p: number, expr: string) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY ${expr})`;
const seconds = (later: string, earlier: string) => `extract(epoch FROM ${later} - ${earlier})::float8`;

/**
 * THE definition of the fulfilment metrics, per warehouse over [from, to): the daily ETL writes
 * it per UTC day, and any other period (a week, a stream window) is the same query with other
 * bounds. `from` and `to` are SQL expressions: bindings (`:from`, `:to`) or the columns of an
 * outer row (the stream's windows compute many periods in one statement, `LATERAL`).
 * Percentiles are continuous (linear interpolation between the two nearest values,
 * `percentile_cont`). A warehouse appears when it had anything to count in the period.
 *
 * Which periods an event can change follows from this query: `fulfilmentMetricTimes` (beside it)
 * must change with it.
 */
export function fulfilmentMetricsSql(from: string, to: string): string {
  return `
WITH created AS (
  SELECT o.warehouse_id,
         count(DISTINCT o.order_id)::int AS orders_created,
         count(*)::int AS lines_ordered,
         sum(l.ordered_quantity)::int AS units_ordered,
         coalesce(sum(l.reserved_quantity) FILTER (WHERE l.reserved_at < ${to}), 0)::int AS units_reserved_same_day,
         count(*) FILTER (WHERE (l.reserved_at IS NULL OR l.reserved_at >= ${to})
                            AND (o.cancelled_at IS NULL OR o.cancelled_at >= ${to}))::int AS backorders
    FROM inventory.orders o
    JOIN inventory.order_lines l ON l.order_id = o.order_id AND l.ordered_quantity IS NOT NULL
   WHERE o.created_at >= ${from} AND o.created_at < ${to}
   GROUP BY o.warehouse_id
), picked AS (
  SELECT l.warehouse_id, count(*)::int AS lines_picked,
         ${pct(0.5, seconds('l.picked_at', 'o.created_at'))} AS p50,
         ${pct(0.95, seconds('l.picked_at', 'o.created_at'))} AS p95
    FROM inventory.order_lines l
    JOIN inventory.orders o ON o.order_id = l.order_id AND o.created_at IS NOT NULL
   WHERE l.picked_at >= ${from} AND l.picked_at < ${to}
   GROUP BY l.warehouse_id
), dispatched AS (
  SELECT s.warehouse_id, count(*)::int AS shipments_dispatched,
         ${pct(0.5, seconds('s.dispatched_at', 'p.last_pick'))} AS p50,
         ${pct(0.95, seconds('s.dispatched_at', 'p.last_pick'))} AS p95
    FROM inventory.shipments s
    LEFT JOIN LATERAL (
      -- GROUP BY keeps this a lookup by the order's key: a bare max() may be planned as a backward
      -- walk of order_lines_picked_idx filtered by order (seconds per statement on a young table).
      SELECT max(l.picked_at) AS last_pick FROM inventory.order_lines l WHERE l.order_id = s.order_id
       GROUP BY l.order_id
    ) p ON true
   WHERE s.dispatched_at >= ${from} AND s.dispatched_at < ${to}
   GROUP BY s.warehouse_id
), due AS (
  SELECT o.warehouse_id, count(*)::int AS orders_due,
         count(*) FILTER (WHERE d.first_dispatch <= o.promised_dispatch_at)::int AS on_time
    FROM inventory.orders o
    LEFT JOIN LATERAL (
      SELECT min(s.dispatched_at) AS first_dispatch FROM inventory.shipments s WHERE s.order_id = o.order_id
    ) d ON true
   WHERE o.promised_dispatch_at >= ${from} AND o.promised_dispatch_at < ${to}
     AND (o.cancelled_at IS NULL OR o.cancelled_at > o.promised_dispatch_at)
   GROUP BY o.warehouse_id
), delivered AS (
  SELECT s.warehouse_id, count(*)::int AS shipments_delivered,
         ${pct(0.5, seconds('s.delivered_at', 's.dispatched_at'))} AS p50,
         ${pct(0.95, seconds('s.delivered_at', 's.dispatched_at'))} AS p95
    FROM inventory.shipments s
   WHERE s.delivered_at >= ${from} AND s.delivered_at < ${to}
   GROUP BY s.warehouse_id
), exceptions AS (
  SELECT e.warehouse_id, count(*)::int AS exceptions, count(DISTINCT e.shipment_id)::int AS shipments_with_exception
    FROM inventory.shipment_events e
   WHERE e.event_type = 'EXCEPTION' AND e.occurred_at >= ${from} AND e.occurred_at < ${to}
   GROUP BY e.warehouse_id
), warehouses AS (
  SELECT warehouse_id FROM created UNION SELECT warehouse_id FROM picked
  UNION SELECT warehouse_id FROM dispatched UNION SELECT warehouse_id FROM due
  UNION SELECT warehouse_id FROM delivered UNION SELECT warehouse_id FROM exceptions
)
SELECT w.warehouse_id,
       coalesce(c.orders_created, 0) AS orders_created,
       coalesce(c.lines_ordered, 0) AS lines_ordered,
       coalesce(c.units_ordered, 0) AS units_ordered,
       coalesce(c.units_reserved_same_day, 0) AS units_reserved_same_day,
       c.units_reserved_same_day::float8 / nullif(c.units_ordered, 0) AS fill_rate,
       coalesce(c.backorders, 0) AS backorders,
       coalesce(p.lines_picked, 0) AS lines_picked,
       p.p50 AS order_to_pick_p50_s, p.p95 AS order_to_pick_p95_s,
       coalesce(d.shipments_dispatched, 0) AS shipments_dispatched,
       d.p50 AS pick_to_dispatch_p50_s, d.p95 AS pick_to_dispatch_p95_s,
       coalesce(u.orders_due, 0) AS orders_due,
       coalesce(u.on_time, 0) AS dispatched_on_time,
       u.on_time::float8 / nullif(u.orders_due, 0) AS on_time_dispatch_rate,
       coalesce(v.shipments_delivered, 0) AS shipments_delivered,
       v.p50 AS delivery_p50_s, v.p95 AS delivery_p95_s,
       coalesce(x.exceptions, 0) AS exceptions,
       coalesce(x.shipments_with_exception, 0) AS shipments_with_exception
  FROM warehouses w
  LEFT JOIN created c ON c.warehouse_id = w.warehouse_id
  LEFT JOIN picked p ON p.warehouse_id = w.warehouse_id
  LEFT JOIN dispatched d ON d.warehouse_id = w.warehouse_id
  LEFT JOIN due u ON u.warehouse_id = w.warehouse_id
  LEFT JOIN delivered v ON v.warehouse_id = w.warehouse_id
  LEFT JOIN exceptions x ON x.warehouse_id = w.warehouse_id`;
}

/** The definition over the bindings `:from` and `:to`. */
export const FULFILMENT_METRICS_SQL = fulfilmentMetricsSql(':from', ':to');

/** The figures of the definition, in the order of the stored tables' columns. */
export const FULFILMENT_METRIC_COLUMNS = [
  'orders_created',
  'lines_ordered',
  'units_ordered',
  'units_reserved_same_day',
  'fill_rate',
  'backorders',
  'lines_picked',
  'order_to_pick_p50_s',
  'order_to_pick_p95_s',
  'shipments_dispatched',
  'pick_to_dispatch_p50_s',
  'pick_to_dispatch_p95_s',
  'orders_due',
  'dispatched_on_time',
  'on_time_dispatch_rate',
  'shipments_delivered',
  'delivery_p50_s',
  'delivery_p95_s',
  'exceptions',
  'shipments_with_exception',
] as const satisfies ReadonlyArray<keyof FulfilmentMetrics>;

/** The metrics of every warehouse over [from, to), computed now (not stored). */
export async function computeFulfilmentMetrics(
  knex: Knex | Knex.Transaction,
  period: { from: Date; to: Date },
): Promise<FulfilmentMetrics[]> {
  const { rows } = await knex.raw<{ rows: FulfilmentMetrics[] }>(
    `${FULFILMENT_METRICS_SQL} ORDER BY w.warehouse_id`,
    period,
  );
  return rows;
}

/**
 * Replaces the rows of UTC day `day` (YYYY-MM-DD) in analytics.daily_fulfilment_metrics with the
 * definition over that day, in one transaction: a rerun leaves the same rows. Returns the rows.
 */
export async function writeDailyFulfilmentMetrics(knex: Knex, day: string): Promise<number> {
  const from = new Date(`${day}T00:00:00.000Z`);
  const to = new Date(from.getTime() + 86_400_000);
  return knex.transaction(async (trx) => {
    await trx('analytics.daily_fulfilment_metrics').where({ as_of_date: day }).delete();
    const { rowCount } = await trx.raw<{ rowCount: number }>(
      `INSERT INTO analytics.daily_fulfilment_metrics (as_of_date, warehouse_id, ${FULFILMENT_METRIC_COLUMNS.join(', ')})
       SELECT :day::date, m.warehouse_id, ${FULFILMENT_METRIC_COLUMNS.map((c) => `m.${c}`).join(', ')}
         FROM (${FULFILMENT_METRICS_SQL}) m`,
      { day, from, to },
    );
    return rowCount ?? 0;
  });
}

/** A stored day of one warehouse. */
export interface DailyFulfilmentRow extends FulfilmentMetrics {
  as_of_date: string;
}

/** Stored daily rows over [fromDay, toDay] (inclusive), optionally of one warehouse, newest first. */
export async function readDailyFulfilmentMetrics(
  knex: Knex,
  filter: { fromDay: string; toDay: string; warehouseId?: string },
): Promise<DailyFulfilmentRow[]> {
  const q = knex('analytics.daily_fulfilment_metrics')
    .select(
      knex.raw("to_char(as_of_date, 'YYYY-MM-DD') AS as_of_date"),
      'warehouse_id',
      ...FULFILMENT_METRIC_COLUMNS,
    )
    .where('as_of_date', '>=', filter.fromDay)
    .andWhere('as_of_date', '<=', filter.toDay)
    .orderBy([
      { column: 'as_of_date', order: 'desc' },
      { column: 'warehouse_id', order: 'asc' },
    ]);
  if (filter.warehouseId) q.andWhere('warehouse_id', filter.warehouseId);
  return (await q) as DailyFulfilmentRow[];
}
