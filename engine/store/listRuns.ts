import type { Knex } from 'knex';
import type { DagRunRow } from './types.js';

/** Runs, newest logical date first, optionally of one DAG and/or one state. */
export async function listRuns(
  knex: Knex,
  filter: { dagId?: string; state?: string; limit?: number; backfillId?: number } = {},
): Promise<DagRunRow[]> {
  const q = knex<DagRunRow>('orchestrator.dag_runs')
    .select('*')
    .orderBy('logical_date', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.dagId) q.where('dag_id', filter.dagId);
  if (filter.state) q.where('state', filter.state);
  if (filter.backfillId !== undefined) q.where('backfill_id', filter.backfillId);
  return q;
}
