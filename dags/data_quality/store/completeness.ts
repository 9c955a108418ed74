import { IN_SCOPE, type QualityRule } from './rule.js';

export const completenessRules: QualityRule[] = [
  {
    id: 'missing_product_data',
    group: 'completeness',
    description: 'A product has no name or category',
    failing: `
      SELECT sku, name, category FROM inventory.products
      WHERE btrim(name) = '' OR btrim(category) = '' ORDER BY sku`,
    checked: 'SELECT count(*) AS n FROM inventory.products',
  },
  {
    id: 'missing_warehouse_data',
    group: 'completeness',
    description: 'A warehouse has no name or zone, no capacity, or a time zone PostgreSQL does not know',
    failing: `
      SELECT warehouse_id, name, zone, capacity, timezone FROM inventory.warehouses w
      WHERE btrim(name) = '' OR btrim(zone) = '' OR capacity = 0
         OR NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = w.timezone)
      ORDER BY warehouse_id`,
    checked: 'SELECT count(*) AS n FROM inventory.warehouses',
  },
  {
    id: 'missing_inventory_level',
    group: 'completeness',
    description: 'A pair has transactions but no row in inventory_levels',
    failing: `
      SELECT DISTINCT t.sku, t.warehouse_id FROM inventory.inventory_transactions t
      WHERE ${IN_SCOPE}
        AND NOT EXISTS (SELECT 1 FROM inventory.inventory_levels l
                        WHERE l.sku = t.sku AND l.warehouse_id = t.warehouse_id)
      ORDER BY 1, 2`,
    checked: `SELECT count(*) AS n FROM (SELECT DISTINCT sku, warehouse_id FROM inventory.inventory_transactions t
              WHERE ${IN_SCOPE}) p`,
  },
];
