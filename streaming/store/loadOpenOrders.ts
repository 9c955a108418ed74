import type { Knex } from 'knex';
import { bind } from '../../db/index.js';

/** A replenishment order of a pair with units still to come, as the ledger stands now. */
export interface OpenOrder {
  reference: string;
  orderedAt: number;
  /** When the order is expected to arrive (epoch ms). */
  expectedAt: number;
  /** When the order was cancelled (epoch ms), or null. */
  cancelledAt: number | null;
  /** quantity − units received so far (RESTOCK / TRANSFER_IN rows with its reference). */
  remaining: number;
}

/**
 * The open replenishment orders of `pairs` (SPEC §5): every order of inventory.purchase_orders
 * with units not yet received by any ledger row, whatever its time, so the detectors can judge by
 * event time which ones count. One statement for any number of pairs; pairs without open orders
 * are absent from the map (keyed by `pairId`). An order marked received (`received_at`, see
 * inventory/analytics' settleReceivedOrders) has no units to come and is not looked up.
 */
export async function loadOpenOrders(
  db: Knex,
  pairs: ReadonlyArray<{ sku: string; warehouseId: string }>,
  pairId: (sku: string, warehouseId: string) => string,
): Promise<Map<string, OpenOrder[]>> {
  const out = new Map<string, OpenOrder[]>();
  if (pairs.length === 0) return out;
  const { rows } = await db.raw<{
    rows: Array<{
      sku: string;
      warehouse_id: string;
      reference_id: string;
      ordered_at: Date;
      expected_at: Date;
      cancelled_at: Date | null;
      remaining: number;
    }>;
  }>(
    `SELECT o.sku, o.warehouse_id, o.reference_id, o.ordered_at, o.expected_at, o.cancelled_at,
            (o.quantity - coalesce(r.received, 0))::int AS remaining
       FROM unnest(?::text[], ?::text[]) AS p(sku, warehouse_id)
       JOIN inventory.purchase_orders o ON o.sku = p.sku AND o.warehouse_id = p.warehouse_id
       LEFT JOIN LATERAL (
         SELECT sum(t.quantity_change) AS received FROM inventory.inventory_transactions t
          WHERE t.sku = o.sku AND t.warehouse_id = o.warehouse_id AND t.reference_id = o.reference_id
            AND t.event_type IN ('RESTOCK', 'TRANSFER_IN') AND t.occurred_at >= o.ordered_at
       ) r ON true
      WHERE o.received_at IS NULL AND o.quantity > coalesce(r.received, 0)
      ORDER BY o.ordered_at, o.order_id`,
    bind(
      pairs.map((p) => p.sku),
      pairs.map((p) => p.warehouseId),
    ),
  );
  for (const r of rows) {
    const key = pairId(r.sku, r.warehouse_id);
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push({
      reference: r.reference_id,
      orderedAt: r.ordered_at.getTime(),
      expectedAt: r.expected_at.getTime(),
      cancelledAt: r.cancelled_at?.getTime() ?? null,
      remaining: r.remaining,
    });
  }
  return out;
}
