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

/**
 * Run counts per day and state for the logical dates of one year, the days and the year in the
 * DAG's time zone (its schedule's, UTC unless it declares one): what a calendar shows.
 */
export async function runStatesPerDay(engine: Engine, dagId: string, year: number): Promise<RunDayCount[]> {
  return runStatesByDay(engine.knex, dagId, year, engine.dag(dagId).timezone);
}
