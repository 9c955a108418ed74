import type { Knex } from '../../../platform/index.js';

/** Refreshes the planner's statistics after a bulk load, so the first DAG runs plan well. */
export async function analyzeLedger(knex: Knex): Promise<void> {
  await knex.raw('ANALYZE inventory.inventory_transactions, inventory.inventory_levels');
}
