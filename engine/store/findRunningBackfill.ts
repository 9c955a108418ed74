import type { Knex } from 'knex';
import type { BackfillRow } from './types.js';

/** A running backfill of the same DAG and range, which a repeated command resumes. */
export async function findRunningBackfill(
  knex: Knex | Knex.Transaction,
  dagId: string,
  from: Date,
  to: Date,
): Promise<BackfillRow | undefined> {
  return knex<BackfillRow>('orchestrator.backfills')
    .where({ dag_id: dagId, from_date: from, to_date: to, state: 'running' })
    .orderBy('id')
    .first();
}
