import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';
import { PICK_RATE_WINDOW_MS, type QueuedOrder, type WarehouseFlow } from '../alerts/lateDispatch.js';

/** Orders whose promise passed longer ago than this have left the queue's forecast (their alert stays). */
export const STALE_PROMISE = "interval '7 days'";

/** The pick queues one partition's orders are in, at one instant. */
export interface DispatchQueues {
  /** Every queued order of those warehouses (of any partition), with `mine` for this partition's. */
  orders: Array<QueuedOrder & { mine: boolean }>;
  /** Each warehouse's picks and pick-to-dispatch time in the window before `now` (working time is the caller's). */
  flows: Map<string, Omit<WarehouseFlow, 'workingMs'>>;
}

/**
 * The pick queues of the warehouses in which `partition`'s orders wait, as at `now` (event time):
 * the orders created by then, not cancelled, not packed, never dispatched, promised at most
 * `STALE_PROMISE` ago — of every partition, because they all share the pickers — with their lines
 * still to pick as at `now`; and each such warehouse's flow over the `PICK_RATE_WINDOW_MS` before
 * `now`. An order dispatched at any time is out (its dispatch is a fact, whatever partition is
 * ahead). Uses `orders_pick_queue_idx`, `order_lines_warehouse_picked_idx` and
 * `shipments_warehouse_dispatched_idx` (migration 0015).
 */
export async function loadDispatchQueues(
  trx: Knex | Knex.Transaction,
  partition: number,
  now: Date,
): Promise<DispatchQueues> {
  const from = new Date(now.getTime() - PICK_RATE_WINDOW_MS);
  const { rows } = await trx.raw<{
    rows: Array<{
      order_id: string;
      warehouse_id: string;
      promised_dispatch_at: Date;
      created_at: Date;
      unpicked: number;
      unreserved: number;
      last_pick: Date | null;
      mine: boolean;
    }>;
  }>(
    `WITH open_orders AS (
       SELECT o.order_id, o.warehouse_id, o.promised_dispatch_at, o.created_at, o.source_partition
         FROM inventory.orders o
        WHERE o.cancelled_at IS NULL AND o.packed_at IS NULL
          AND o.promised_dispatch_at > ?::timestamptz - ${STALE_PROMISE} AND o.created_at <= ?::timestamptz
     ), warehouses AS (
       SELECT DISTINCT warehouse_id FROM open_orders WHERE source_partition = ?::int
     )
     SELECT o.order_id, o.warehouse_id, o.promised_dispatch_at, o.created_at,
            o.source_partition IS NOT DISTINCT FROM ?::int AS mine,
            count(*) FILTER (WHERE l.picked_at IS NULL OR l.picked_at > ?::timestamptz)::int AS unpicked,
            count(*) FILTER (WHERE l.reserved_at IS NULL OR l.reserved_at > ?::timestamptz)::int AS unreserved,
            max(l.picked_at) FILTER (WHERE l.picked_at <= ?::timestamptz) AS last_pick
       FROM open_orders o JOIN inventory.order_lines l ON l.order_id = o.order_id
      WHERE o.warehouse_id IN (SELECT warehouse_id FROM warehouses)
        AND NOT EXISTS (SELECT 1 FROM inventory.shipments s
                         WHERE s.order_id = o.order_id AND s.dispatched_at IS NOT NULL)
      GROUP BY o.order_id, o.warehouse_id, o.promised_dispatch_at, o.created_at, o.source_partition`,
    bind(now, now, partition, partition, now, now, now),
  );
  const orders = rows.map((r) => ({
    orderId: r.order_id,
    warehouseId: r.warehouse_id,
    promisedAt: r.promised_dispatch_at.getTime(),
    createdAt: r.created_at.getTime(),
    unpickedLines: r.unpicked,
    unreservedLines: r.unreserved,
    lastPickAt: r.last_pick?.getTime() ?? null,
    mine: r.mine,
  }));
  const warehouses = [...new Set(orders.filter((o) => o.mine).map((o) => o.warehouseId))];
  const flows = new Map<string, Omit<WarehouseFlow, 'workingMs'>>();
  if (warehouses.length === 0) return { orders: [], flows };
  const { rows: flowRows } = await trx.raw<{
    rows: Array<{ warehouse_id: string; picks: number; pick_to_dispatch_s: number | null }>;
  }>(
    `SELECT w.warehouse_id,
            (SELECT count(*) FROM inventory.order_lines l
              WHERE l.warehouse_id = w.warehouse_id AND l.picked_at IS NOT NULL
                AND l.picked_at > ?::timestamptz AND l.picked_at <= ?::timestamptz)::int AS picks,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.dispatched_at - p.last_pick))
               FROM inventory.shipments s
               CROSS JOIN LATERAL (SELECT max(l.picked_at) AS last_pick FROM inventory.order_lines l
                                    WHERE l.order_id = s.order_id) p
              WHERE s.warehouse_id = w.warehouse_id AND s.dispatched_at IS NOT NULL
                AND s.dispatched_at > ?::timestamptz AND s.dispatched_at <= ?::timestamptz
                AND p.last_pick <= s.dispatched_at) AS pick_to_dispatch_s
       FROM unnest(?::text[]) AS w(warehouse_id)`,
    bind(from, now, from, now, warehouses),
  );
  for (const r of flowRows)
    flows.set(r.warehouse_id, {
      picks: r.picks,
      pickToDispatchMs: r.pick_to_dispatch_s === null ? null : Number(r.pick_to_dispatch_s) * 1000,
    });
  return { orders: orders.filter((o) => warehouses.includes(o.warehouseId)), flows };
}
