import { IN_SCOPE, type QualityRule } from './rule.js';

export const consistencyRules: QualityRule[] = [
  {
    id: 'on_hand_mismatch',
    group: 'consistency',
    description: "On-hand or reserved differs from the sum of the pair's transactions",
    // The rows before ledger_totals_until are summed per pair in ledger_totals (kept by the
    // ledger's triggers and the maintenance DAG, archived months included): only the younger
    // rows are read. `until` comes as a value (runQualityRules), so the statement is planned
    // over the partitions from it on only.
    failing: `
      WITH ledger AS (
        SELECT sku, warehouse_id,
               sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')) AS on_hand,
               sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')) AS reserved
        FROM inventory.inventory_transactions
        WHERE occurred_at >= :ledgerTotalsUntil::timestamptz
        GROUP BY sku, warehouse_id
      )
      SELECT l.sku, l.warehouse_id, l.quantity_on_hand,
             coalesce(s.on_hand, 0) + coalesce(c.on_hand_change, 0) AS ledger_on_hand,
             l.quantity_reserved, coalesce(s.reserved, 0) + coalesce(c.reserved_change, 0) AS ledger_reserved
      FROM inventory.inventory_levels l
      LEFT JOIN ledger s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id
      LEFT JOIN inventory.ledger_totals c ON c.sku = l.sku AND c.warehouse_id = l.warehouse_id
      WHERE l.quantity_on_hand <> coalesce(s.on_hand, 0) + coalesce(c.on_hand_change, 0)
         OR l.quantity_reserved <> coalesce(s.reserved, 0) + coalesce(c.reserved_change, 0)
      ORDER BY l.sku, l.warehouse_id`,
    checked: 'SELECT count(*) AS n FROM inventory.inventory_levels',
  },
  {
    id: 'future_timestamps',
    group: 'consistency',
    description: 'A transaction occurred more than an hour after it was ingested',
    failing: `
      SELECT t.event_id, t.sku, t.warehouse_id, t.occurred_at, t.ingested_at
      FROM inventory.inventory_transactions t
      WHERE ${IN_SCOPE} AND t.occurred_at > t.ingested_at + interval '1 hour'
      ORDER BY t.event_id`,
    checked: `SELECT count(*) AS n FROM inventory.inventory_transactions t WHERE ${IN_SCOPE}`,
  },
  {
    id: 'timestamps_out_of_order',
    group: 'consistency',
    description:
      'Timestamps contradict each other: a level updated before its last event, a row updated before it was created',
    failing: `
      SELECT 'inventory_levels' AS source, sku || ':' || warehouse_id AS id, last_event_at AS earlier_expected,
             updated_at AS later_expected
      FROM inventory.inventory_levels WHERE last_event_at > updated_at + interval '1 hour'
      UNION ALL
      SELECT 'products', sku, created_at, updated_at FROM inventory.products WHERE updated_at < created_at
      UNION ALL
      SELECT 'warehouses', warehouse_id, created_at, updated_at FROM inventory.warehouses WHERE updated_at < created_at
      ORDER BY 1, 2`,
    checked: `
      SELECT (SELECT count(*) FROM inventory.inventory_levels) + (SELECT count(*) FROM inventory.products)
           + (SELECT count(*) FROM inventory.warehouses) AS n`,
  },
];
