import type { Knex } from 'knex';

/**
 * Per DAG, its latest run that ended failed within the last `withinHours`: the run id and the
 * end time in epoch seconds. A run that was cleared since is running again and is not listed.
 */
export async function lastFailedRuns(
  knex: Knex,
  withinHours = 24,
): Promise<Array<{ dag_id: string; run_id: number; ended_at: number }>> {
  const { rows } = await knex.raw(
    `SELECT DISTINCT ON (dag_id) dag_id, id::int AS run_id, extract(epoch FROM ended_at)::float8 AS ended_at
       FROM orchestrator.dag_runs
      WHERE state = 'failed' AND ended_at > now() - make_interval(hours => ?)
      ORDER BY dag_id, ended_at DESC`,
    [withinHours],
  );
  return rows;
}
