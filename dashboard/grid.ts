import type { Dag } from '../engine/index.js';
import type { RouteDeps } from './deps.js';
import type { RunRow, TaskState } from './engine.js';
import { mappedInstancesOf, type MappedInstances } from './mappedTasks.js';

export interface GridCell {
  state: TaskState;
  try_number: number;
  max_tries: number;
  /** A mapped task once expanded: its instances, and how many are in each state. */
  mapped?: MappedInstances;
}

export interface Grid {
  dag_id: string;
  /** Rows of the grid, in topological order. */
  tasks: Array<{ task_id: string; upstream: string[] }>;
  /** Columns, oldest first (newest on the right, as in Airflow's grid). */
  runs: Array<
    Pick<RunRow, 'id' | 'state' | 'run_type' | 'logical_date' | 'started_at' | 'ended_at'> & {
      tasks: Record<string, GridCell>;
      /** The run's note, if it has one. */
      note: string | null;
    }
  >;
}

/** The latest `limit` runs of a DAG with the state of every task instance. */
export async function gridOf(deps: Pick<RouteDeps, 'engine'>, dag: Dag, limit: number): Promise<Grid> {
  const runs = await deps.engine.listRuns({ dagId: dag.id, limit, offset: 0 });
  const [withTasks, notes] = await Promise.all([
    Promise.all(runs.map((r) => deps.engine.getRun(r.id))),
    deps.engine.runNotes(runs.map((r) => r.id)),
  ]);
  return {
    dag_id: dag.id,
    tasks: dag.tasks.map((t) => ({ task_id: t.id, upstream: [...t.upstream] })),
    runs: runs
      .map((r, i) => ({
        id: r.id,
        state: r.state,
        run_type: r.run_type,
        logical_date: r.logical_date,
        started_at: r.started_at,
        ended_at: r.ended_at,
        note: notes.get(r.id)?.note ?? null,
        tasks: Object.fromEntries(
          (withTasks[i]?.tasks ?? [])
            .filter((t) => !t.map_parent)
            .map((t) => {
              const mapped = mappedInstancesOf(withTasks[i]!.tasks, t.task_id);
              const cell: GridCell = { state: t.state, try_number: t.try_number, max_tries: t.max_tries };
              return [t.task_id, mapped ? { ...cell, mapped } : cell];
            }),
        ),
      }))
      .reverse(),
  };
}
