import type { Knex } from 'knex';

/**
 * Where scheduling of a DAG stands: the latest scheduled logical date and how many scheduled,
 * manual or asset-triggered runs are still running (max_active_runs counts those; backfills have their own limit).
 */
export async function scheduleCursor(
  trx: Knex.Transaction | Knex,
  dagId: string,
): Promise<{ lastScheduled: Date | null; active: number; paused: boolean }> {
  const { rows } = await trx.raw(
    `SELECT
       (SELECT max(logical_date) FROM orchestrator.dag_runs WHERE dag_id = ? AND run_type = 'scheduled') AS last,
       (SELECT count(*) FROM orchestrator.dag_runs
         WHERE dag_id = ? AND state = 'running' AND run_type IN ('scheduled', 'manual', 'asset_triggered')) AS active,
       coalesce((SELECT is_paused FROM orchestrator.dags WHERE dag_id = ?), false) AS paused`,
    [dagId, dagId, dagId],
  );
  return { lastScheduled: rows[0].last, active: Number(rows[0].active), paused: rows[0].paused };
}
