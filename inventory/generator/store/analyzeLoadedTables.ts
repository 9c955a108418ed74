import type { Knex } from '../../../platform/index.js';

/**
 * Every table a history load fills: the ledger (and its event-id index), the levels, the orders,
 * shipments and audit trail of the same trade, the purchase orders and the incident labels.
 */
export const LOADED_TABLES = [
  'inventory.inventory_transactions',
  'inventory.ledger_event_ids',
  'inventory.inventory_levels',
  'inventory.orders',
  'inventory.order_lines',
  'inventory.order_events',
  'inventory.shipments',
  'inventory.shipment_events',
  'inventory.audit_events',
  'inventory.purchase_orders',
  'inventory.incident_labels',
] as const;

/**
 * Refreshes the planner's statistics after a bulk load, so the first DAG runs and pages plan well.
 * Autovacuum gets there too, but late on a busy machine: without statistics a per-order look-up
 * such as an order's first dispatch (the fulfilment metrics) was planned as a walk down the
 * dispatch-time index, filtered by order, and one day's metrics took minutes instead of
 * milliseconds.
 */
export async function analyzeLoadedTables(knex: Knex): Promise<void> {
  await knex.raw(`ANALYZE ${LOADED_TABLES.join(', ')}`);
}
