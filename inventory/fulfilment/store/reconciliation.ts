/**
 * The reconciliation of the order stream with the inventory ledger (CONTRACT.md, "One picture"):
 * the ledger stays the source of stock, and an order line's reservation is the ledger's
 * RESERVATION row whose reference_id is the order id (its pick, the SALE row likewise). Two
 * data-quality rules check that the two agree; the data_quality DAG runs them in its consistency
 * group. Both queries use the named bindings `:start` and `:end` (the run's data interval) and
 * `:scopeFrom`, the earliest occurrence the data-quality DAG's row-level rules look at (its
 * `lateRowDays` before `:start`).
 */

/** The order id prefix of order references in the ledger (`ORDER-…`). */
export const ORDER_REFERENCE_PREFIX = 'ORDER-';

/**
 * The two streams are consumed by separate consumers, so one may run a little ahead of the other:
 * a rule checks what occurred (or was ingested) in its interval shifted back by this much, so every
 * fact is checked once, this long after it arrived.
 */
export const RECONCILIATION_LAG = "interval '15 minutes'";

/**
 * A reservation and its order line are the same real-world fact, so their times agree; the ledger
 * side is looked up within this distance of the line's reservation time (which keeps the lookup
 * on the ledger's pair/time index however long the history is).
 */
export const RECONCILIATION_WINDOW = "interval '1 day'";

const shifted = (alias: string) =>
  `((${alias}.occurred_at >= :start::timestamptz - ${RECONCILIATION_LAG} AND ${alias}.occurred_at < :end::timestamptz - ${RECONCILIATION_LAG})
    OR (${alias}.ingested_at >= :start::timestamptz - ${RECONCILIATION_LAG} AND ${alias}.ingested_at < :end::timestamptz - ${RECONCILIATION_LAG}))`;

/**
 * Only where the order stream is in use: a warehouse whose order stream has not started yet (no
 * order created at or before the reservation) has nothing to reconcile against.
 */
const ORDER_FEED_COVERS = `EXISTS (
  SELECT 1 FROM inventory.orders c WHERE c.warehouse_id = t.warehouse_id AND c.created_at <= t.occurred_at)`;

/**
 * The ledger's rows a rule checks. A row ingested in the interval may have occurred long before:
 * the bound on its occurrence (a value, as the row-level rules bind it) keeps the statement to the
 * ledger's partitions since `:scopeFrom`, pruned when it is planned, instead of every month of the
 * history (117 ms of planning and a probe of every partition at 5 years).
 */
const LEDGER_IN_SCOPE = `${shifted('t')} AND t.occurred_at >= :scopeFrom::timestamptz`;

const LEDGER_RESERVATIONS = `
  FROM inventory.inventory_transactions t
  WHERE t.event_type = 'RESERVATION' AND t.reference_id LIKE '${ORDER_REFERENCE_PREFIX}%' AND ${LEDGER_IN_SCOPE}`;

export interface ReconciliationRule {
  id: string;
  description: string;
  failing: string;
  checked: string;
}

export const RECONCILIATION_RULES: readonly ReconciliationRule[] = [
  {
    id: 'reservation_without_order_line',
    description:
      'A RESERVATION for an order (reference ORDER-…) has no order line of that SKU and warehouse, or its order was cancelled before it',
    failing: `
      SELECT t.event_id, t.sku, t.warehouse_id, t.reference_id AS order_id, t.occurred_at,
             l.warehouse_id AS line_warehouse_id, o.cancelled_at AS order_cancelled_at
        FROM inventory.inventory_transactions t
        LEFT JOIN inventory.order_lines l ON l.order_id = t.reference_id AND l.sku = t.sku
        LEFT JOIN inventory.orders o ON o.order_id = t.reference_id
       WHERE t.event_type = 'RESERVATION' AND t.reference_id LIKE '${ORDER_REFERENCE_PREFIX}%' AND ${LEDGER_IN_SCOPE}
         AND ${ORDER_FEED_COVERS}
         AND (l.order_id IS NULL OR l.warehouse_id <> t.warehouse_id OR o.cancelled_at < t.occurred_at)
       ORDER BY t.occurred_at, t.event_id`,
    checked: `SELECT count(*) AS n ${LEDGER_RESERVATIONS} AND ${ORDER_FEED_COVERS}`,
  },
  {
    id: 'order_line_without_reservation',
    description:
      'An order line was reserved (LINE_RESERVED) but the ledger has no RESERVATION of its SKU and warehouse with the order id as reference',
    failing: `
      SELECT e.order_id, e.sku, e.warehouse_id, e.quantity, e.occurred_at AS reserved_at
        FROM inventory.order_events e
       WHERE e.event_type = 'LINE_RESERVED' AND ${shifted('e')}
         AND NOT EXISTS (
           SELECT 1 FROM inventory.inventory_transactions t
            WHERE t.sku = e.sku AND t.warehouse_id = e.warehouse_id
              AND t.occurred_at BETWEEN e.occurred_at - ${RECONCILIATION_WINDOW} AND e.occurred_at + ${RECONCILIATION_WINDOW}
              AND t.event_type = 'RESERVATION' AND t.reference_id = e.order_id)
       ORDER BY e.occurred_at, e.order_id, e.sku`,
    checked: `SELECT count(*) AS n FROM inventory.order_events e WHERE e.event_type = 'LINE_RESERVED' AND ${shifted('e')}`,
  },
];
