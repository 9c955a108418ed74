import type { QualityRule } from './rule.js';

export const freshnessRules: QualityRule[] = [
  {
    id: 'stale_data',
    group: 'freshness',
    description: 'The newest transaction before the interval end is older than staleAfterMinutes',
    failing: `
      SELECT newest, :end::timestamptz - newest AS age FROM (
        SELECT max(occurred_at) AS newest FROM inventory.inventory_transactions WHERE occurred_at < :end
      ) m
      WHERE newest IS NULL OR newest < :end::timestamptz - make_interval(mins => :staleAfterMinutes)`,
    checked: 'SELECT 1 AS n',
  },
  {
    id: 'ingestion_gap',
    group: 'freshness',
    description: 'A warehouse with transactions in the week before has none in the last gapHours',
    failing: `
      SELECT w.warehouse_id,
             (SELECT max(occurred_at) FROM inventory.inventory_transactions t
              WHERE t.warehouse_id = w.warehouse_id AND t.occurred_at < :end) AS last_transaction_at
      FROM inventory.warehouses w
      WHERE EXISTS (SELECT 1 FROM inventory.inventory_transactions t
                    WHERE t.warehouse_id = w.warehouse_id
                      AND t.occurred_at >= :end::timestamptz - make_interval(hours => :gapHours) - interval '168 hours'
                      AND t.occurred_at < :end::timestamptz - make_interval(hours => :gapHours))
        AND NOT EXISTS (SELECT 1 FROM inventory.inventory_transactions t
                        WHERE t.warehouse_id = w.warehouse_id
                          AND t.occurred_at >= :end::timestamptz - make_interval(hours => :gapHours)
                          AND t.occurred_at < :end)
      ORDER BY w.warehouse_id`,
    checked: 'SELECT count(*) AS n FROM inventory.warehouses',
  },
];
