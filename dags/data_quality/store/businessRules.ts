import type { QualityRule } from './rule.js';

const LEVELS_CHECKED = 'SELECT count(*) AS n FROM inventory.inventory_levels';
const levelRule = (id: string, description: string, condition: string): QualityRule => ({
  id,
  group: 'business_rules',
  description,
  failing: `
    SELECT sku, warehouse_id, quantity_on_hand, quantity_reserved, reorder_point, safety_stock
    FROM inventory.inventory_levels WHERE ${condition} ORDER BY sku, warehouse_id`,
  checked: LEVELS_CHECKED,
});

/**
 * Rules on the current stock levels. A negative level is a fact the ledger produced (SPEC §3):
 * it is reported here, never refused at write time.
 */
export const businessRules: QualityRule[] = [
  levelRule('negative_on_hand', 'Quantity on hand is below zero', 'quantity_on_hand < 0'),
  levelRule('negative_reserved', 'Quantity reserved is below zero', 'quantity_reserved < 0'),
  levelRule(
    'negative_reorder_point',
    'Reorder point or safety stock is below zero',
    'reorder_point < 0 OR safety_stock < 0',
  ),
  levelRule(
    'reserved_exceeds_on_hand',
    'More is reserved than is on hand',
    'quantity_reserved > 0 AND quantity_reserved > quantity_on_hand',
  ),
];
