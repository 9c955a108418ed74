import type { Knex } from '../../../platform/index.js';

/** Which of these SKUs and warehouse ids exist in the warehouse model (one statement). */
export async function knownReferences(
  knex: Knex,
  skus: string[],
  warehouses: string[],
): Promise<{ skus: Set<string>; warehouses: Set<string> }> {
  const { rows } = await knex.raw(
    `SELECT 'sku' AS kind, sku AS id FROM inventory.products WHERE sku = ANY(?::text[])
     UNION ALL
     SELECT 'warehouse', warehouse_id FROM inventory.warehouses WHERE warehouse_id = ANY(?::text[])`,
    [skus, warehouses],
  );
  const found = { skus: new Set<string>(), warehouses: new Set<string>() };
  for (const r of rows as Array<{ kind: string; id: string }>)
    (r.kind === 'sku' ? found.skus : found.warehouses).add(r.id);
  return found;
}
