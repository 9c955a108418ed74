import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';
import type { OrderRow } from '../orders.js';

/** Removes the replenishment orders of `skus × warehouseIds`, as their history is about to be replaced. */
export async function deletePurchaseOrders(
  knex: Knex,
  skus: readonly string[],
  warehouseIds: readonly string[],
): Promise<number> {
  if (skus.length === 0 || warehouseIds.length === 0) return 0;
  const result = await knex.raw<{ rowCount: number }>(
    `DELETE FROM inventory.purchase_orders WHERE sku = ANY(?::text[]) AND warehouse_id = ANY(?::text[])`,
    bind(skus, warehouseIds),
  );
  return result.rowCount;
}

/** Inserts replenishment orders in one statement per 5,000, in the given order. */
export async function insertPurchaseOrders(knex: Knex, orders: readonly OrderRow[]): Promise<void> {
  for (let i = 0; i < orders.length; i += 5000) {
    const chunk = orders.slice(i, i + 5000);
    await knex.raw(
      `INSERT INTO inventory.purchase_orders
         (kind, reference_id, sku, warehouse_id, source_warehouse_id, quantity, ordered_at, expected_at, cancelled_at)
       SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[],
                            ?::timestamptz[], ?::timestamptz[], ?::timestamptz[])`,
      bind(
        chunk.map((o) => o.kind),
        chunk.map((o) => o.reference_id),
        chunk.map((o) => o.sku),
        chunk.map((o) => o.warehouse_id),
        chunk.map((o) => o.source_warehouse_id),
        chunk.map((o) => o.quantity),
        chunk.map((o) => o.ordered_at),
        chunk.map((o) => o.expected_at),
        chunk.map((o) => o.cancelled_at),
      ),
    );
  }
}
