import type { Knex } from 'knex';

/** The values the stock filters offer: warehouses holding stock rows, and product categories. */
export interface StockFacets {
  warehouses: string[];
  categories: string[];
}

export async function stockFacets(knex: Knex): Promise<StockFacets> {
  const [warehouses, categories] = await Promise.all([
    knex('inventory.warehouses').orderBy('warehouse_id').pluck('warehouse_id'),
    knex('inventory.products').distinct('category').orderBy('category').pluck('category'),
  ]);
  return { warehouses, categories };
}
