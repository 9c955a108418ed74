import type { Knex } from 'knex';
import type { TaskInstanceRow } from './types.js';

/** A mapped task's instances in a run, in index order ([] for a task that is not mapped). */
export async function mappedInstances(
  knex: Knex | Knex.Transaction,
  runId: number,
  taskId: string,
): Promise<TaskInstanceRow[]> {
  return knex<TaskInstanceRow>('orchestrator.task_instances')
    .where({ run_id: runId, map_parent: taskId })
    .orderBy('map_index');
}
