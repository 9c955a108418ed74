import type { Knex } from 'knex';

/** Latest run per DAG and run counts by state, for `dags list` and the dashboard. */
export async function dagSummaries(knex: Knex): Promise<
  Array<{
    dag_id: string;
    is_paused: boolean;
    last_logical_date: Date | null;
    last_state: string | null;
    running: number;
    failed: number;
    success: number;
    cancelled: number;
  }>
> {
  const { rows } = await knex.raw(`
    SELECT d.dag_id, d.is_paused, l.logical_date AS last_logical_date, l.state AS last_state,
           coalesce(c.running, 0) AS running, coalesce(c.failed, 0) AS failed,
           coalesce(c.success, 0) AS success,
           coalesce(c.cancelled, 0) AS cancelled
      FROM orchestrator.dags d
      LEFT JOIN LATERAL (SELECT logical_date, state FROM orchestrator.dag_runs r
                          WHERE r.dag_id = d.dag_id ORDER BY logical_date DESC LIMIT 1) l ON true
      LEFT JOIN (SELECT dag_id, count(*) FILTER (WHERE state = 'running') AS running,
                        count(*) FILTER (WHERE state = 'failed') AS failed,
                        count(*) FILTER (WHERE state = 'success') AS success,
                        count(*) FILTER (WHERE state = 'cancelled') AS cancelled
                   FROM orchestrator.dag_runs GROUP BY dag_id) c ON c.dag_id = d.dag_id`);
  return rows;
}
