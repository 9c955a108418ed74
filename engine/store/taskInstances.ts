import type { Knex } from 'knex';
import type { TaskInstanceRow } from './types.js';

/** The task instances of a run, by task id. */
export async function taskInstances(knex: Knex, runId: number): Promise<TaskInstanceRow[]> {
  return knex<TaskInstanceRow>('orchestrator.task_instances').where('run_id', runId).orderBy('task_id');
}
