import type { Knex } from 'knex';
import { PREPARED, preparedStatement, runPrepared } from './prepared.js';
import type { TaskState } from './types.js';

/** A run as read in one snapshot: its state, its version (see `applyTransitions`) and its tasks. */
export interface RunView {
  state: string;
  version: number;
  /** Each task's state, and for a branch task that succeeded the downstream tasks it chose. */
  tasks: Map<string, { state: TaskState; followed?: string[] | null }>;
}

/** One task instance of a run, with its run's state and version, as the queries return them. */
export interface RunRow {
  run_id: number;
  task_id: string;
  state: TaskState;
  followed?: string[] | null;
  run_state: string;
  version: number;
}

/** Groups rows by run. */
export function runViews(rows: RunRow[]): Map<number, RunView> {
  const runs = new Map<number, RunView>();
  for (const r of rows) {
    let run = runs.get(r.run_id);
    if (!run) runs.set(r.run_id, (run = { state: r.run_state, version: r.version, tasks: new Map() }));
    run.tasks.set(r.task_id, r.followed ? { state: r.state, followed: r.followed } : { state: r.state });
  }
  return runs;
}

const READ_RUNS = preparedStatement(
  PREPARED.read_runs,
  `SELECT ti.run_id, ti.task_id, ti.state, ti.followed, r.state AS run_state, r.version
         FROM orchestrator.dag_runs r JOIN orchestrator.task_instances ti ON ti.run_id = r.id
        WHERE r.id = ANY(?::bigint[])`,
);

/** Reads runs as they stand, each in one snapshot with its version. */
export async function readRuns(
  knex: Knex | Knex.Transaction,
  runIds: number[],
): Promise<Map<number, RunView>> {
  const { rows } = await runPrepared(knex, READ_RUNS, [runIds]);
  return runViews(rows as RunRow[]);
}
