import type { Knex } from '../../../platform/index.js';
import { utcDate } from '../../analytics/index.js';

/** The UTC day before the ledger's newest transaction (the last whole day of sales), or null. */
export async function lastCompleteDay(knex: Knex): Promise<string | null> {
  const { rows } = await knex.raw(
    `SELECT to_char(${utcDate('max(occurred_at)')} - 1, 'YYYY-MM-DD') AS day FROM inventory.inventory_transactions`,
  );
  return rows[0].day;
}
