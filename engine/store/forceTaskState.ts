import type { Knex } from 'knex';

/** Sets a task instance's state by hand (mark success/failed); a running try's result is then discarded. */
export async function forceTaskState(
  trx: Knex.Transaction,
  runId: number,
  taskId: string,
  state: 'success' | 'failed',
): Promise<boolean> {
  const { rowCount } = await trx.raw(
    `UPDATE orchestrator.task_instances
        SET state = ?, worker_id = NULL, ended_at = clock_timestamp(), next_try_at = NULL,
            error = CASE WHEN ? = 'failed' THEN 'marked failed by an operator' END
      WHERE run_id = ? AND task_id = ?`,
    [state, state, runId, taskId],
  );
  return (rowCount ?? 0) > 0;
}
