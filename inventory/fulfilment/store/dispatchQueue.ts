import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';
import { HISTORY_WINDOW_MS, type QueuedOrder, type WarehouseFlow } from '../alerts/lateDispatch.js';

/** Orders whose promise passed longer ago than this have left the queue's forecast (their alert stays). */
export const STALE_PROMISE = "interval '7 days'";

/**
 * The pick queues of the warehouses in which `partition`'s orders wait, as at `now` (event time):
 * the orders created by then, not cancelled, not packed, never dispatched, promised at most
 * `STALE_PROMISE` ago — of every partition, because they all share the pickers — with their lines
 * still to pick as at `now`, and `mine` for this partition's. An order dispatched at any time is
 * out (its dispatch is a fact, whatever partition is ahead). Uses `orders_pick_queue_idx`
 * (migration 0015).
 */
export async function loadDispatchQueues(
  trx: Knex | Knex.Transaction,
  partition: number,
  now: Date,
): Promise<Array<QueuedOrder & { mine: boolean }>> {
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
  const warehouses = new Set(orders.filter((o) => o.mine).map((o) => o.warehouseId));
  return orders.filter((o) => warehouses.has(o.warehouseId));
}

/**
 * How each warehouse has been working before `now`: its picks over the `HISTORY_WINDOW_MS` and
 * since its `recentFrom` (the start of its current-rate window, sized in its working time by the
 * caller), and its median time from an order's last pick to its dispatch over the history window.
 * Uses `order_lines_warehouse_picked_idx` and `shipments_warehouse_dispatched_idx` (migration 0015),
 * and a shipment's last pick by `order_lines_pkey`: the GROUP BY keeps it so, where a bare max()
 * may be planned as a backward walk of `order_lines_picked_idx` (1.9 s instead of 53 ms on a young
 * table without statistics).
 */
export async function loadWarehouseFlows(
  trx: Knex | Knex.Transaction,
  warehouses: ReadonlyArray<{ warehouseId: string; recentFrom: Date }>,
  now: Date,
): Promise<Map<string, Omit<WarehouseFlow, 'recentWorkingMs'>>> {
  const flows = new Map<string, Omit<WarehouseFlow, 'recentWorkingMs'>>();
  if (warehouses.length === 0) return flows;
  const from = new Date(now.getTime() - HISTORY_WINDOW_MS);
  const { rows } = await trx.raw<{
    rows: Array<{ warehouse_id: string; picks: number; recent: number; pick_to_dispatch_s: number | null }>;
  }>(
    `SELECT w.warehouse_id, p.picks, p.recent,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.dispatched_at - l.last_pick))
               FROM inventory.shipments s
               CROSS JOIN LATERAL (SELECT max(x.picked_at) AS last_pick FROM inventory.order_lines x
                                    WHERE x.order_id = s.order_id GROUP BY x.order_id) l
              WHERE s.warehouse_id = w.warehouse_id AND s.dispatched_at IS NOT NULL
                AND s.dispatched_at > ?::timestamptz AND s.dispatched_at <= ?::timestamptz
                AND l.last_pick <= s.dispatched_at) AS pick_to_dispatch_s
       FROM unnest(?::text[], ?::timestamptz[]) AS w(warehouse_id, recent_from)
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS picks, count(*) FILTER (WHERE l.picked_at > w.recent_from)::int AS recent
           FROM inventory.order_lines l
          WHERE l.warehouse_id = w.warehouse_id AND l.picked_at IS NOT NULL
            AND l.picked_at > least(?::timestamptz, w.recent_from) AND l.picked_at <= ?::timestamptz) p`,
    bind(
      from,
      now,
      warehouses.map((w) => w.warehouseId),
      warehouses.map((w) => w.recentFrom),
      from,
      now,
    ),
  );
  for (const r of rows)
    flows.set(r.warehouse_id, {
      historyPicks: r.picks,
      recentPicks: r.recent,
      pickToDispatchMs: r.pick_to_dispatch_s === null ? null : Number(r.pick_to_dispatch_s) * 1000,
    });
  return flows;
}

/**
 * Takes the late-dispatch lock until the transaction ends: the order, shipment and audit
 * consumers all judge late orders, and two chunks that read an order's open alert at once would
 * both escalate it (two news, two mails). Held from the read of the open alerts to the commit.
 */
export async function lockLateDispatch(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('wareflow.late_dispatch'))`);
}

/**
 * Whether an order promised after `after` (null: any time within `STALE_PROMISE` of `upTo`) and
 * at or before `upTo` has not left and is not cancelled: an order that a later judgement of late
 * dispatches could find late. Uses `orders_promised_idx` over that span only.
 */
export async function hasUndispatchedOrders(
  trx: Knex | Knex.Transaction,
  after: Date | null,
  upTo: Date,
): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: Array<{ found: boolean }> }>(
    `SELECT EXISTS (
       SELECT 1 FROM inventory.orders o
        WHERE o.promised_dispatch_at <= ?::timestamptz
          AND o.promised_dispatch_at > greatest(?::timestamptz, ?::timestamptz - ${STALE_PROMISE})
          AND o.cancelled_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM inventory.shipments s WHERE s.order_id = o.order_id AND s.dispatched_at IS NOT NULL)
     ) AS found`,
    bind(upTo, after ?? new Date(0), upTo),
  );
  return rows[0]!.found;
}

/** An order whose promise has passed and that has not left (`loadOverdueOrders`). */
export interface OverdueOrder {
  orderId: string;
  warehouseId: string;
  promisedAt: number;
  /** Lines not picked yet. */
  unpickedLines: number;
  /** When it was packed (null: not yet): then it waits for the carrier. */
  packedAt: number | null;
}

/**
 * The orders of any partition promised between 7 days before `at` and `at`, not cancelled, never
 * dispatched, holding stock for every line, whose late-dispatch alert is not open at high
 * already (`openKeySql`: the alert key of `o.order_id`, from the alert owner): none, or a forecast
 * risk (medium) that the passed promise escalates. `at` must be an instant up to which the
 * order and shipment streams are applied (the sidecar's fulfilment watermark): then "not
 * dispatched, not cancelled" is a fact at `at`, whichever partition asks. Uses `orders_promised_idx`.
 */
export async function loadOverdueOrders(
  trx: Knex | Knex.Transaction,
  at: Date,
  openKeySql: string,
): Promise<OverdueOrder[]> {
  const { rows } = await trx.raw<{
    rows: Array<{
      order_id: string;
      warehouse_id: string;
      promised_dispatch_at: Date;
      packed_at: Date | null;
      unpicked: number;
    }>;
  }>(
    `SELECT o.order_id, o.warehouse_id, o.promised_dispatch_at, o.packed_at,
            (SELECT count(*) FROM inventory.order_lines l WHERE l.order_id = o.order_id AND l.picked_at IS NULL)::int AS unpicked
       FROM inventory.orders o
      WHERE o.promised_dispatch_at <= ?::timestamptz
        AND o.promised_dispatch_at > ?::timestamptz - ${STALE_PROMISE}
        AND o.cancelled_at IS NULL AND o.created_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM inventory.order_lines l WHERE l.order_id = o.order_id AND l.reserved_at IS NULL)
        AND NOT EXISTS (SELECT 1 FROM inventory.shipments s WHERE s.order_id = o.order_id AND s.dispatched_at IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM analytics.alerts a
                         WHERE a.dedup_key = ${openKeySql} AND a.resolved_at IS NULL
                           AND a.severity IN ('high', 'critical'))`,
    bind(at, at),
  );
  return rows.map((r) => ({
    orderId: r.order_id,
    warehouseId: r.warehouse_id,
    promisedAt: r.promised_dispatch_at.getTime(),
    unpickedLines: r.unpicked,
    packedAt: r.packed_at?.getTime() ?? null,
  }));
}
