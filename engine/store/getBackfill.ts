import type { Knex } from 'knex';
import type { BackfillRow } from './types.js';

/** One backfill, or undefined when there is none with that id. */
export async function getBackfill(
  knex: Knex | Knex.Transaction,
  id: number,
): Promise<BackfillRow | undefined> {
  return knex<BackfillRow>('orchestrator.backfills').where('id', id).first();
}
