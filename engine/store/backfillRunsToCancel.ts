import type { Knex } from 'knex';

/**
 * The running runs of a backfill, each with whether any of its tasks has started yet (a run none
 * of whose tasks started is only queued).
 */
export async function backfillRunsToCancel(
  knex: Knex | Knex.Transaction,
  backfillId: number,
): Promise<Array<{ id: number; started: boolean }>> {
  const { rows } = await knex.raw(
    `SELECT r.id, EXISTS (SELECT 1 FROM orchestrator.task_instances ti
                           WHERE ti.run_id = r.id AND ti.started_at IS NOT NULL) AS started
       FROM orchestrator.dag_runs r
      WHERE r.backfill_id = ? AND r.state = 'running'
      ORDER BY r.logical_date`,
    [backfillId],
  );
  return rows;
}
