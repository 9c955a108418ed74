import type { Knex } from '../../../platform/index.js';

/**
 * Marks received the purchase orders that are neither received nor cancelled yet and whose
 * receipts (RESTOCK / TRANSFER_IN rows of the pair with the order's reference_id, booked no
 * earlier than the order) now reach its quantity: `received_at` is the time of the receipt that
 * completed it. From then on `onOrderCte` and the stream skip the order for any instant after
 * that (it counts 0 there), so what is on order reads only the orders open at the instant, and
 * stays exact when the order's receipts are archived with their month. A receipt booked late with
 * an earlier time can only make the true completion earlier; the stored one then lets the order be
 * read (as 0) a little longer, never dropped too soon. Returns the orders marked.
 */
export async function settleReceivedOrders(knex: Knex): Promise<number> {
  return knex.transaction(async (trx) => {
    // One settler at a time (the nightly ETL, the maintenance DAG): the second finds the orders
    // marked, rather than two updating the same rows in another order.
    await trx.raw("SELECT pg_advisory_xact_lock(hashtext('inventory.settle_received_orders'))");
    // The receipts of the open orders are booked no earlier than the oldest of them was placed:
    // bound as a value, the ledger is planned from that month on, not over its whole history.
    const { rows } = await trx.raw(
      'SELECT min(ordered_at) AS since FROM inventory.purchase_orders WHERE closed_at IS NULL',
    );
    const since = (rows as Array<{ since: Date | null }>)[0]!.since;
    if (since === null) return 0;
    const result = await trx.raw(
      `
    WITH receipts AS (
      SELECT o.order_id, o.quantity, t.occurred_at,
             sum(t.quantity_change) OVER (PARTITION BY o.order_id ORDER BY t.occurred_at) AS received
        FROM inventory.purchase_orders o
        JOIN inventory.inventory_transactions t
          ON t.sku = o.sku AND t.warehouse_id = o.warehouse_id AND t.reference_id = o.reference_id
         AND t.event_type IN ('RESTOCK', 'TRANSFER_IN') AND t.occurred_at >= o.ordered_at
         AND t.occurred_at >= CAST(:since AS timestamptz)
       WHERE o.closed_at IS NULL
    ), done AS (
      SELECT order_id, min(occurred_at) AS received_at FROM receipts WHERE received >= quantity GROUP BY order_id
    )
    UPDATE inventory.purchase_orders o SET received_at = d.received_at
      FROM done d WHERE o.order_id = d.order_id AND o.closed_at IS NULL`,
      { since },
    );
    return result.rowCount ?? 0;
  });
}
