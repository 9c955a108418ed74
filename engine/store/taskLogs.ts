import type { Knex } from 'knex';
import type { TaskLogRow } from './types.js';

/** The stored log lines of a task instance, every try or one. */
export async function taskLogs(
  knex: Knex,
  runId: number,
  taskId: string,
  tryNumber?: number,
): Promise<TaskLogRow[]> {
  const q = knex('orchestrator.task_logs')
    .select('id', 'try_number', 'logged_at', 'level', 'message', 'fields')
    .where({ run_id: runId, task_id: taskId })
    .orderBy('id');
  if (tryNumber !== undefined) q.where('try_number', tryNumber);
  return q;
}
