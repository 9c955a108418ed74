import type { Knex } from 'knex';
import type { FulfilmentStream } from '../contract.js';

/**
 * Per event type, the times whose periods a new event can change, read from what is stored now
 * (the event's own row and the projections it moved). It follows `fulfilmentMetricsSql` figure
 * by figure:
 *
 * | event | periods it changes |
 * | --- | --- |
 * | `ORDER_CREATED` | its own (created); the promise (due); the picks of its lines (order → pick) |
 * | `LINE_RESERVED` | the order's creation (fill rate, backorders) |
 * | `LINE_PICKED` | its own (picked); the dispatches of the order's shipments (their last pick) |
 * | `ORDER_CANCELLED` | the order's creation (backorders); the promise (due) |
 * | `DISPATCHED` | every dispatch of the shipment (the earliest counts); its delivery (delivery time); the order's promise (first dispatch) |
 * | `DELIVERED` | every delivery of the shipment (the earliest counts) |
 * | `EXCEPTION` | its own |
 * | `ORDER_PACKED`, `IN_TRANSIT`, audit | none |
 *
 * A period of any length containing none of these times keeps its figures. The times come from
 * the stored rows, not from the events alone, so an event arriving before the ones it relates to
 * (a shipment before its order) is covered when the later one arrives.
 */
const TIMES_SQL: Readonly<Record<Exclude<FulfilmentStream, 'audit'>, string>> = {
  orders: `
WITH e AS (
  SELECT event_type, order_id, occurred_at FROM inventory.order_events WHERE event_id = ANY(?::uuid[])
)
SELECT DISTINCT t FROM (
  SELECT e.occurred_at AS t FROM e WHERE e.event_type IN ('ORDER_CREATED', 'LINE_PICKED')
  UNION ALL
  SELECT o.created_at FROM e JOIN inventory.orders o ON o.order_id = e.order_id
   WHERE e.event_type IN ('ORDER_CREATED', 'LINE_RESERVED', 'ORDER_CANCELLED')
  UNION ALL
  SELECT o.promised_dispatch_at FROM e JOIN inventory.orders o ON o.order_id = e.order_id
   WHERE e.event_type IN ('ORDER_CREATED', 'ORDER_CANCELLED')
  UNION ALL
  SELECT l.picked_at FROM e JOIN inventory.order_lines l ON l.order_id = e.order_id
   WHERE e.event_type = 'ORDER_CREATED'
  UNION ALL
  SELECT s.dispatched_at FROM e JOIN inventory.shipments s ON s.order_id = e.order_id
   WHERE e.event_type = 'LINE_PICKED'
) x
WHERE t IS NOT NULL`,
  shipments: `
WITH e AS (
  SELECT event_type, shipment_id, order_id, occurred_at FROM inventory.shipment_events WHERE event_id = ANY(?::uuid[])
)
SELECT DISTINCT t FROM (
  SELECT e.occurred_at AS t FROM e WHERE e.event_type = 'EXCEPTION'
  UNION ALL
  SELECT x.occurred_at FROM e JOIN inventory.shipment_events x
    ON x.shipment_id = e.shipment_id AND x.event_type = e.event_type
   WHERE e.event_type IN ('DISPATCHED', 'DELIVERED')
  UNION ALL
  SELECT s.delivered_at FROM e JOIN inventory.shipments s ON s.shipment_id = e.shipment_id
   WHERE e.event_type = 'DISPATCHED'
  UNION ALL
  SELECT o.promised_dispatch_at FROM e JOIN inventory.orders o ON o.order_id = e.order_id
   WHERE e.event_type = 'DISPATCHED'
) x
WHERE t IS NOT NULL`,
};

/**
 * The times whose periods (of any length) the events `eventIds` of `stream`, just stored, may
 * have changed; ascending. Read in the transaction that stored them, after it did.
 */
export async function fulfilmentMetricTimes(
  trx: Knex | Knex.Transaction,
  stream: FulfilmentStream,
  eventIds: readonly string[],
): Promise<Date[]> {
  if (stream === 'audit' || eventIds.length === 0) return [];
  const { rows } = await trx.raw<{ rows: Array<{ t: Date }> }>(`${TIMES_SQL[stream]} ORDER BY t`, [
    [...eventIds],
  ]);
  return rows.map((r) => r.t);
}
