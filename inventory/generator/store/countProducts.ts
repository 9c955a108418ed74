import type { Knex } from '../../../platform/index.js';

/** How many products the warehouse knows: zero means nothing was loaded yet. */
export async function countProducts(knex: Knex): Promise<number> {
  const { rows } = await knex.raw('SELECT count(*)::int AS n FROM inventory.products');
  return (rows as Array<{ n: number }>)[0]!.n;
}
