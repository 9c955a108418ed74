import type { Knex } from 'knex';
import type { FulfilmentMetrics } from '../../../inventory/fulfilment/index.js';

/** A recounted period: its kind (`day` or a stream window kind), start and warehouse. */
export interface Recounted extends FulfilmentMetrics {
  kind: string;
  period_start: Date;
}

/**
 * The fulfilment metrics recounted over the raw event tables alone — `order_events` and
 * `shipment_events`, never the projections (`orders`, `order_lines`, `shipments`) nor the
 * definition's SQL — for every UTC day, hour and quarter hour at once: each fact is put in its
 * period by `date_bin`, and a figure is counted where its fact happened (CONTRACT.md §8, read
 * as plain sentences). Deliberately written apart from `fulfilmentMetricsSql`: if the two agree,
 * the definition, its projections and the stream's windows say what the events say.
 */
const RECOUNT_SQL = `
WITH kinds(kind, size) AS (
  VALUES ('day', interval '1 day'), ('tumbling_1h', interval '1 hour'), ('tumbling_15m', interval '15 minutes')
),
creations AS (
  SELECT order_id, warehouse_id, occurred_at AS created,
         (payload->>'promisedDispatchAt')::timestamptz AS promised, payload->'lines' AS lines
    FROM inventory.order_events WHERE event_type = 'ORDER_CREATED'
),
cancels AS (
  SELECT order_id, min(occurred_at) AS cancelled FROM inventory.order_events
   WHERE event_type = 'ORDER_CANCELLED' GROUP BY order_id
),
reservations AS (
  SELECT order_id, sku, occurred_at AS reserved, quantity FROM inventory.order_events WHERE event_type = 'LINE_RESERVED'
),
picks AS (
  SELECT order_id, sku, warehouse_id, occurred_at AS picked FROM inventory.order_events WHERE event_type = 'LINE_PICKED'
),
dispatches AS (
  SELECT shipment_id, min(order_id) AS order_id, min(warehouse_id) AS warehouse_id, min(occurred_at) AS dispatched
    FROM inventory.shipment_events WHERE event_type = 'DISPATCHED' GROUP BY shipment_id
),
deliveries AS (
  SELECT shipment_id, min(warehouse_id) AS warehouse_id, min(occurred_at) AS delivered
    FROM inventory.shipment_events WHERE event_type = 'DELIVERED' GROUP BY shipment_id
),
-- Each ordered line, with when (and how much of) it was reserved and when its order was cancelled.
ordered AS (
  SELECT c.order_id, c.warehouse_id, c.created, (x->>'quantity')::int AS units,
         r.reserved, r.quantity AS reserved_units, k.cancelled
    FROM creations c
    CROSS JOIN jsonb_array_elements(c.lines) x
    LEFT JOIN reservations r ON r.order_id = c.order_id AND r.sku = x->>'sku'
    LEFT JOIN cancels k ON k.order_id = c.order_id
),
created_in AS (
  SELECT kind, period_start, warehouse_id,
         count(DISTINCT order_id) AS orders_created, count(*) AS lines_ordered, sum(units) AS units_ordered,
         coalesce(sum(reserved_units) FILTER (WHERE reserved < period_end), 0) AS units_reserved_same_day,
         count(*) FILTER (WHERE (reserved IS NULL OR reserved >= period_end)
                            AND (cancelled IS NULL OR cancelled >= period_end)) AS backorders
    FROM (SELECT o.*, k.kind, date_bin(k.size, o.created, timestamptz '2000-01-01 00:00Z') AS period_start,
                 date_bin(k.size, o.created, timestamptz '2000-01-01 00:00Z') + k.size AS period_end
            FROM ordered o CROSS JOIN kinds k) x
   GROUP BY 1, 2, 3
),
picked_in AS (
  SELECT k.kind, date_bin(k.size, p.picked, timestamptz '2000-01-01 00:00Z') AS period_start, p.warehouse_id,
         count(*) AS lines_picked,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.picked - c.created)::float8) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM p.picked - c.created)::float8) AS p95
    FROM picks p JOIN creations c ON c.order_id = p.order_id CROSS JOIN kinds k
   GROUP BY 1, 2, 3
),
dispatched_in AS (
  SELECT k.kind, date_bin(k.size, d.dispatched, timestamptz '2000-01-01 00:00Z') AS period_start, d.warehouse_id,
         count(*) AS shipments_dispatched,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.dispatched - lp.last_pick)::float8) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM d.dispatched - lp.last_pick)::float8) AS p95
    FROM dispatches d
    LEFT JOIN (SELECT order_id, max(picked) AS last_pick FROM picks GROUP BY order_id) lp ON lp.order_id = d.order_id
    CROSS JOIN kinds k
   GROUP BY 1, 2, 3
),
due_in AS (
  SELECT k.kind, date_bin(k.size, c.promised, timestamptz '2000-01-01 00:00Z') AS period_start, c.warehouse_id,
         count(*) AS orders_due, count(*) FILTER (WHERE fd.first_dispatch <= c.promised) AS dispatched_on_time
    FROM creations c
    LEFT JOIN cancels x ON x.order_id = c.order_id
    LEFT JOIN (SELECT order_id, min(dispatched) AS first_dispatch FROM dispatches GROUP BY order_id) fd
           ON fd.order_id = c.order_id
    CROSS JOIN kinds k
   WHERE x.cancelled IS NULL OR x.cancelled > c.promised
   GROUP BY 1, 2, 3
),
delivered_in AS (
  SELECT k.kind, date_bin(k.size, v.delivered, timestamptz '2000-01-01 00:00Z') AS period_start, v.warehouse_id,
         count(*) AS shipments_delivered,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM v.delivered - d.dispatched)::float8) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM v.delivered - d.dispatched)::float8) AS p95
    FROM deliveries v LEFT JOIN dispatches d ON d.shipment_id = v.shipment_id CROSS JOIN kinds k
   GROUP BY 1, 2, 3
),
exceptions_in AS (
  SELECT k.kind, date_bin(k.size, e.occurred_at, timestamptz '2000-01-01 00:00Z') AS period_start, e.warehouse_id,
         count(*) AS exceptions, count(DISTINCT e.shipment_id) AS shipments_with_exception
    FROM inventory.shipment_events e CROSS JOIN kinds k
   WHERE e.event_type = 'EXCEPTION'
   GROUP BY 1, 2, 3
),
periods AS (
  SELECT kind, period_start, warehouse_id FROM created_in
  UNION SELECT kind, period_start, warehouse_id FROM picked_in
  UNION SELECT kind, period_start, warehouse_id FROM dispatched_in
  UNION SELECT kind, period_start, warehouse_id FROM due_in
  UNION SELECT kind, period_start, warehouse_id FROM delivered_in
  UNION SELECT kind, period_start, warehouse_id FROM exceptions_in
)
SELECT p.kind, p.period_start, p.warehouse_id,
       coalesce(c.orders_created, 0)::int AS orders_created,
       coalesce(c.lines_ordered, 0)::int AS lines_ordered,
       coalesce(c.units_ordered, 0)::int AS units_ordered,
       coalesce(c.units_reserved_same_day, 0)::int AS units_reserved_same_day,
       c.units_reserved_same_day::float8 / nullif(c.units_ordered, 0) AS fill_rate,
       coalesce(c.backorders, 0)::int AS backorders,
       coalesce(k.lines_picked, 0)::int AS lines_picked,
       k.p50 AS order_to_pick_p50_s, k.p95 AS order_to_pick_p95_s,
       coalesce(d.shipments_dispatched, 0)::int AS shipments_dispatched,
       d.p50 AS pick_to_dispatch_p50_s, d.p95 AS pick_to_dispatch_p95_s,
       coalesce(u.orders_due, 0)::int AS orders_due,
       coalesce(u.dispatched_on_time, 0)::int AS dispatched_on_time,
       u.dispatched_on_time::float8 / nullif(u.orders_due, 0) AS on_time_dispatch_rate,
       coalesce(v.shipments_delivered, 0)::int AS shipments_delivered,
       v.p50 AS delivery_p50_s, v.p95 AS delivery_p95_s,
       coalesce(x.exceptions, 0)::int AS exceptions,
       coalesce(x.shipments_with_exception, 0)::int AS shipments_with_exception
  FROM periods p
  LEFT JOIN created_in c USING (kind, period_start, warehouse_id)
  LEFT JOIN picked_in k USING (kind, period_start, warehouse_id)
  LEFT JOIN dispatched_in d USING (kind, period_start, warehouse_id)
  LEFT JOIN due_in u USING (kind, period_start, warehouse_id)
  LEFT JOIN delivered_in v USING (kind, period_start, warehouse_id)
  LEFT JOIN exceptions_in x USING (kind, period_start, warehouse_id)
 ORDER BY p.kind, p.period_start, p.warehouse_id`;

/** Every period of every kind with anything to count, recounted from the raw events. */
export async function recountFromRawEvents(knex: Knex): Promise<Recounted[]> {
  const { rows } = await knex.raw<{ rows: Recounted[] }>(RECOUNT_SQL);
  return rows;
}
