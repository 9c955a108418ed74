import type { Knex } from 'knex';
import type { TaskInstanceRow } from './types.js';

/** The task instances of a run, by task id; a mapped task's instances follow it, in index order. */
export async function taskInstances(knex: Knex, runId: number): Promise<TaskInstanceRow[]> {
  return knex<TaskInstanceRow>('orchestrator.task_instances')
    .where('run_id', runId)
    .orderByRaw('coalesce(map_parent, task_id), map_index NULLS FIRST');
}
