import type { Knex } from '../../../platform/index.js';

/** The newest day processed metrics exist for (YYYY-MM-DD), or null before the first run. */
export async function newestMetricsDay(knex: Knex): Promise<string | null> {
  const { rows } = await knex.raw('SELECT max(as_of_date) AS newest FROM analytics.processed_metrics');
  return (rows as Array<{ newest: string | null }>)[0]!.newest;
}
