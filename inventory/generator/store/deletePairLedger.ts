import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';

/**
 * Removes the ledger of every (sku, warehouse) pair in `skus × warehouseIds`, so a generated
 * history can replace it; with `levels`, their level rows too (so the pairs are consistently
 * empty until the new history commits). Returns the number of ledger rows removed.
 */
export async function deletePairLedger(
  knex: Knex,
  skus: readonly string[],
  warehouseIds: readonly string[],
  options: { levels?: boolean } = {},
): Promise<number> {
  if (skus.length === 0 || warehouseIds.length === 0) return 0;
  const result = await knex.raw<{ rowCount: number }>(
    `DELETE FROM inventory.inventory_transactions
     WHERE sku = ANY(?::text[]) AND warehouse_id = ANY(?::text[])`,
    bind(skus, warehouseIds),
  );
  if (options.levels) {
    await knex.raw(
      `DELETE FROM inventory.inventory_levels WHERE sku = ANY(?::text[]) AND warehouse_id = ANY(?::text[])`,
      bind(skus, warehouseIds),
    );
  }
  return result.rowCount;
}
