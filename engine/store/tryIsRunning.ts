import type { Knex } from 'knex';

/** Whether this try of the task instance is running (on some worker) right now. */
export async function tryIsRunning(
  knex: Knex,
  runId: number,
  taskId: string,
  tryNumber: number,
): Promise<boolean> {
  const { rows } = await knex.raw(
    `SELECT 1 FROM orchestrator.task_instances
      WHERE run_id = ? AND task_id = ? AND try_number = ? AND state = 'running'`,
    [runId, taskId, tryNumber],
  );
  return rows.length > 0;
}
