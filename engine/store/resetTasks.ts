import type { Knex } from 'knex';

/**
 * Clears task instances so they run again: back to `none`, with a fresh allowance of retries
 * after the tries already made (try numbers keep counting, so job ids never repeat). Reopens the run.
 */
export async function resetTasks(
  trx: Knex.Transaction,
  runId: number,
  tasks: Array<{ taskId: string; retries: number }>,
): Promise<number> {
  if (tasks.length === 0) return 0;
  const { rowCount } = await trx.raw(
    `UPDATE orchestrator.task_instances ti
        SET state = 'none', max_tries = ti.try_number + 1 + t.retries, output = NULL, error = NULL,
            worker_id = NULL, queued_at = NULL, started_at = NULL, heartbeat_at = NULL, ended_at = NULL,
            next_try_at = NULL
       FROM jsonb_to_recordset(?::jsonb) AS t(task_id text, retries int)
      WHERE ti.run_id = ? AND ti.task_id = t.task_id`,
    [JSON.stringify(tasks.map((t) => ({ task_id: t.taskId, retries: t.retries }))), runId],
  );
  await reopenRun(trx, runId);
  return rowCount ?? 0;
}

/**
 * Reopens a run after a change by hand and counts the change in its version, so that decisions
 * of finishing tries made from the states before it are not applied (see `applyTransitions`).
 */
export async function reopenRun(trx: Knex.Transaction, runId: number): Promise<void> {
  await trx.raw(
    `UPDATE orchestrator.dag_runs SET state = 'running', ended_at = NULL, version = version + 1 WHERE id = ?`,
    [runId],
  );
}

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
