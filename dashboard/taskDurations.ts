import type { Dag } from '../engine/index.js';
import type { RouteDeps } from './deps.js';
import type { RunRow } from './engine.js';

/** How many runs the duration history covers unless asked otherwise. */
export const DURATION_RUNS = 25;

export interface TaskDurations {
  dag_id: string;
  /** The runs covered, oldest first: the chart's x axis. */
  runs: Array<Pick<RunRow, 'id' | 'logical_date' | 'state'>>;
  /** Per task, in the DAG's order: the duration of its latest try in each run where it ran. */
  tasks: Array<{
    task_id: string;
    points: Array<{ run_id: number; state: string; duration_ms: number }>;
  }>;
}

/** Task durations (ended − started of the latest try) over a DAG's latest `limit` runs. */
export async function taskDurationsOf(
  deps: Pick<RouteDeps, 'engine'>,
  dag: Dag,
  limit = DURATION_RUNS,
): Promise<TaskDurations> {
  const rows = await deps.engine.recentTaskInstances(dag.id, limit);
  const runs = new Map<number, Pick<RunRow, 'id' | 'logical_date' | 'state'>>();
  const points = new Map<string, TaskDurations['tasks'][number]['points']>(dag.tasks.map((t) => [t.id, []]));
  for (const r of rows) {
    if (!runs.has(r.run_id))
      runs.set(r.run_id, { id: r.run_id, logical_date: r.logical_date, state: r.run_state });
    if (!r.started_at || !r.ended_at) continue;
    points.get(r.task_id)?.push({
      run_id: r.run_id,
      state: r.state,
      duration_ms: new Date(r.ended_at).getTime() - new Date(r.started_at).getTime(),
    });
  }
  return {
    dag_id: dag.id,
    runs: [...runs.values()],
    tasks: [...points].map(([task_id, p]) => ({ task_id, points: p })),
  };
}
