import type { Dag } from '../engine/index.js';
import type { RouteDeps } from './deps.js';
import type { RunRow, TaskState } from './engine.js';

export interface TaskGraphNode {
  task_id: string;
  /** Column: 0 for a task without upstreams, else one more than its deepest upstream. */
  depth: number;
  /** Row within its column, in the DAG's task order. */
  row: number;
  /** The task's state in the latest run; `none` when there is no run or no instance yet. */
  state: TaskState;
  /** The task instance of the latest run, or null without a run. */
  href: string | null;
  /** A mapped task: the upstream task whose list it runs over, one instance per item. */
  map_over: string | null;
}

export interface TaskGraph {
  dag_id: string;
  run: Pick<RunRow, 'id' | 'state' | 'logical_date'> | null;
  nodes: TaskGraphNode[];
  /** One edge per upstream: `from` runs before `to`. */
  edges: Array<{ from: string; to: string }>;
}

/** Depth of every task from its upstreams (the DAG is checked acyclic at definition). */
export function taskDepths(
  tasks: ReadonlyArray<{ id: string; upstream: readonly string[] }>,
): Map<string, number> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const depths = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const up = byId.get(id)?.upstream ?? [];
    const d = up.length === 0 ? 0 : 1 + Math.max(...up.map(depthOf));
    depths.set(id, d);
    return d;
  };
  for (const t of tasks) depthOf(t.id);
  return depths;
}

/** The DAG's tasks laid out by depth, coloured by the latest run's task states. */
export async function taskGraphOf(deps: Pick<RouteDeps, 'engine'>, dag: Dag): Promise<TaskGraph> {
  const [latest] = await deps.engine.listRuns({ dagId: dag.id, limit: 1, offset: 0 });
  const detail = latest ? await deps.engine.getRun(latest.id) : undefined;
  const states = new Map((detail?.tasks ?? []).map((t) => [t.task_id, t.state]));
  const depths = taskDepths(dag.tasks);
  const rows = new Map<number, number>();
  const nodes = dag.tasks.map((t) => {
    const depth = depths.get(t.id) ?? 0;
    const row = rows.get(depth) ?? 0;
    rows.set(depth, row + 1);
    return {
      task_id: t.id,
      depth,
      row,
      state: states.get(t.id) ?? 'none',
      href: latest
        ? `/dags/${encodeURIComponent(dag.id)}/runs/${latest.id}/tasks/${encodeURIComponent(t.id)}`
        : null,
      map_over: t.mapOver ?? null,
    };
  });
  return {
    dag_id: dag.id,
    run: latest ? { id: latest.id, state: latest.state, logical_date: latest.logical_date } : null,
    nodes,
    edges: dag.tasks.flatMap((t) => t.upstream.map((u) => ({ from: u, to: t.id }))),
  };
}
