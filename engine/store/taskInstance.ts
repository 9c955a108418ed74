import type { Knex } from 'knex';
import type { TaskInstanceRow } from './types.js';

/** One task instance of a run, or undefined. */
export async function taskInstance(
  knex: Knex | Knex.Transaction,
  runId: number,
  taskId: string,
): Promise<TaskInstanceRow | undefined> {
  return knex<TaskInstanceRow>('orchestrator.task_instances')
    .where({ run_id: runId, task_id: taskId })
    .first();
}
