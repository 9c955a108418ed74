/**
 * What is on order for each pair at an instant T, from the open-order feed
 * (`inventory.purchase_orders`) and the ledger's receipts: Σ over orders placed before T and not
 * cancelled by then of (quantity − units received before T), each order counting at least 0. A
 * receipt is a RESTOCK or TRANSFER_IN row of the pair with the order's reference_id, booked no
 * earlier than the order was placed.
 *
 * One CTE `on_order (sku, warehouse_id, units, next_expected_at)`, pairs with nothing on order
 * left out; `next_expected_at` is the earliest expected_at of an order with units still to come. `at` is
 * SQL for the timestamptz T (exclusive: an order or receipt at T itself is after it); `where` an
 * extra condition on the orders `o`, e.g. a pair filter.
 *
 * Only orders not closed before T are read (`closed_at`, through purchase_orders_closed_idx): an
 * order cancelled before T is excluded by definition, and one whose receipts reached its quantity
 * before T (`received_at`, see `settleReceivedOrders`) counts 0 units and has no expected receipt,
 * so leaving it out changes nothing — it keeps the lookup to the open orders instead of every
 * order ever placed.
 *
 * `receiptsFrom`, when given, is SQL for an instant no later than the placing of any order read
 * (`oldestOpenOrder`), bound as a value: the receipts are then looked up in the ledger's months
 * since that instant only, which the planner knows before the statement runs.
 */
export function onOrderCte(at: string, where = 'true', receiptsFrom?: string): string {
  return `
    on_order AS (
      SELECT o.sku, o.warehouse_id, sum(greatest(0, o.quantity - coalesce(r.received, 0)))::int AS units,
             min(o.expected_at) FILTER (WHERE o.quantity > coalesce(r.received, 0)) AS next_expected_at
      FROM inventory.purchase_orders o
      LEFT JOIN LATERAL (
        SELECT sum(t.quantity_change) AS received
        FROM inventory.inventory_transactions t
        WHERE t.sku = o.sku AND t.warehouse_id = o.warehouse_id AND t.reference_id = o.reference_id
          AND t.event_type IN ('RESTOCK', 'TRANSFER_IN')
          AND t.occurred_at >= o.ordered_at AND t.occurred_at < ${at}
          ${receiptsFrom === undefined ? '' : `AND t.occurred_at >= ${receiptsFrom}`}
      ) r ON true
      WHERE o.ordered_at < ${at} AND (o.cancelled_at IS NULL OR o.cancelled_at >= ${at})
        AND (o.closed_at IS NULL OR o.closed_at >= ${at}) AND (${where})
      GROUP BY o.sku, o.warehouse_id
      HAVING sum(greatest(0, o.quantity - coalesce(r.received, 0))) > 0
    )`;
}
