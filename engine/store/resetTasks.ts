import type { Knex } from 'knex';
import { reopenRun } from './reopenRun.js';

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
