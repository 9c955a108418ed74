import type { Knex } from 'knex';

/**
 * Running runs of the given DAGs that have run longer than their DAG's timeout at `now`, counted
 * from the run's start, or from the clear or mark that last reopened it.
 */
export async function findTimedOutRuns(
  knex: Knex,
  timeouts: Array<{ dagId: string; timeoutMs: number }>,
  now: Date,
): Promise<Array<{ id: number; dag_id: string; logical_date: Date; since: Date }>> {
  if (timeouts.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT r.id, r.dag_id, r.logical_date, coalesce(r.reopened_at, r.started_at) AS since
       FROM orchestrator.dag_runs r
       JOIN jsonb_to_recordset(?::jsonb) AS t(dag_id text, timeout_ms bigint) ON t.dag_id = r.dag_id
      WHERE r.state = 'running'
        AND coalesce(r.reopened_at, r.started_at) + make_interval(secs => t.timeout_ms / 1000.0) < ?
      ORDER BY r.id`,
    [JSON.stringify(timeouts.map((t) => ({ dag_id: t.dagId, timeout_ms: t.timeoutMs }))), now],
  );
  return rows;
}
