import type { Knex } from 'knex';

/** One page of rows and the number of rows matching the filter overall. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface PageRequest {
  limit: number;
  offset: number;
}

/**
 * Runs a filtered, ordered query for one page; `count(*) OVER ()` gives the total in the same
 * statement, so a page and its total always agree.
 */
export async function fetchPage<T>(query: Knex.QueryBuilder, page: PageRequest): Promise<Page<T>> {
  const rows: Array<T & { __total?: number }> = await query
    .select(query.client.raw('count(*) OVER () AS __total'))
    .limit(page.limit)
    .offset(page.offset);
  const total = rows.length > 0 ? Number(rows[0]!.__total) : 0;
  for (const row of rows) delete row.__total;
  return { items: rows as T[], total, limit: page.limit, offset: page.offset };
}
