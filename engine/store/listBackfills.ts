import type { Knex } from 'knex';
import type { BackfillRow } from './types.js';

/** The latest 100 backfills, newest first, optionally of one DAG and/or one state. */
export async function listBackfills(
  knex: Knex,
  filter: { dagId?: string; state?: string } = {},
): Promise<BackfillRow[]> {
  const q = knex<BackfillRow>('orchestrator.backfills').select('*').orderBy('id', 'desc').limit(100);
  if (filter.dagId) q.where('dag_id', filter.dagId);
  if (filter.state) q.where('state', filter.state);
  return q;
}
