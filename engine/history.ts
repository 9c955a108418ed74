import type { Engine } from './engine.js';
import {
  recentTaskInstances,
  runStatesByDay,
  type RunDayCount,
  type TaskInstanceInRun,
} from './store/index.js';

/**
 * The task instances of a DAG's latest `limit` runs, oldest run first, in one query: what a
 * duration history reads instead of one `getRun` per run.
 */
export async function taskInstancesOfRecentRuns(
  engine: Engine,
  dagId: string,
  limit: number,
): Promise<TaskInstanceInRun[]> {
  engine.dag(dagId);
  return recentTaskInstances(engine.knex, dagId, limit);
}

/** Run counts per UTC day and state for logical dates in [from, to): what a calendar shows. */
export async function runStatesPerDay(
  engine: Engine,
  dagId: string,
  from: Date,
  to: Date,
): Promise<RunDayCount[]> {
  engine.dag(dagId);
  return runStatesByDay(engine.knex, dagId, from, to);
}
