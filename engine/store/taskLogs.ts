import type { Knex } from 'knex';
import type { TaskLogRow } from './types.js';

export interface TaskLogQuery {
  /** Only this try's lines. */
  tryNumber?: number;
  /** Only lines stored after this one (a poller passes the last id it has). */
  afterId?: number;
  /** At most this many lines, oldest first. @defaultValue all */
  limit?: number;
}

/** The stored log lines of a task instance (the task's and the engine's), oldest first. */
export async function taskLogs(
  knex: Knex,
  runId: number,
  taskId: string,
  query: TaskLogQuery = {},
): Promise<TaskLogRow[]> {
  const q = knex('orchestrator.task_logs')
    .select('id', 'try_number', 'logged_at', 'level', 'message', 'fields', 'source')
    .where({ run_id: runId, task_id: taskId })
    .orderBy('id');
  if (query.tryNumber !== undefined) q.where('try_number', query.tryNumber);
  if (query.afterId !== undefined) q.where('id', '>', query.afterId);
  if (query.limit !== undefined) q.limit(query.limit);
  return q;
}
