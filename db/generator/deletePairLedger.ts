import type { Knex } from 'knex';
import { bind } from './bindings.js';

/**
 * Removes the ledger of every (sku, warehouse) pair in `skus × warehouseIds`, so a generated
 * history can replace it. Levels are left to the caller, which overwrites them in the same
 * transaction. Returns the number of rows removed.
 */
export async function deletePairLedger(
  knex: Knex,
  skus: readonly string[],
  warehouseIds: readonly string[],
): Promise<number> {
  if (skus.length === 0 || warehouseIds.length === 0) return 0;
  const result = await knex.raw<{ rowCount: number }>(
    `DELETE FROM inventory.inventory_transactions
     WHERE sku = ANY(?::text[]) AND warehouse_id = ANY(?::text[])`,
    bind(skus, warehouseIds),
  );
  return result.rowCount;
}
