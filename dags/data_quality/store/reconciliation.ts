import { RECONCILIATION_RULES } from '../../../inventory/fulfilment/index.js';
import type { QualityRule } from './rule.js';

/**
 * The order stream against the inventory ledger (inventory/fulfilment/CONTRACT.md, "One
 * picture"): no reservation for an order without its open order line, and no reserved order line
 * without its reservation. The SQL is the fulfilment owner's; they run with the consistency rules.
 */
export const reconciliationRules: QualityRule[] = RECONCILIATION_RULES.map((r) => ({
  ...r,
  group: 'consistency',
}));
