import type { Knex } from 'knex';
import type { RunState, TaskState } from './types.js';

/** A task instance with its run's logical date and state, as the history views need it. */
export interface TaskInstanceInRun {
  run_id: number;
  logical_date: Date;
  run_state: RunState;
  task_id: string;
  state: TaskState;
  try_number: number;
  queued_at: Date | null;
  started_at: Date | null;
  ended_at: Date | null;
}

/** The task instances of a DAG's latest `limit` runs (by logical date), oldest run first. */
export async function recentTaskInstances(
  knex: Knex,
  dagId: string,
  limit: number,
): Promise<TaskInstanceInRun[]> {
  const { rows } = await knex.raw(
    `SELECT r.id AS run_id, r.logical_date, r.state AS run_state, ti.task_id, ti.state, ti.try_number,
            ti.queued_at, ti.started_at, ti.ended_at
       FROM (SELECT id, logical_date, state FROM orchestrator.dag_runs
              WHERE dag_id = ? ORDER BY logical_date DESC, id DESC LIMIT ?) r
       JOIN orchestrator.task_instances ti ON ti.run_id = r.id
      ORDER BY r.logical_date, r.id, ti.task_id`,
    [dagId, limit],
  );
  return rows as TaskInstanceInRun[];
}
