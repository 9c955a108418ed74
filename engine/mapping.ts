import type { TaskState } from './store/index.js';
import type { Dag, ResolvedTask } from './dag.js';

/**
 * Dynamic task mapping, the decisions (the SQL is in store/expandMapped.ts and the trigger of
 * migration 0008). A mapped task has a parent row per run, which the trigger rules see like any
 * task, and instances `task[i]`, which run like any task. A finishing try reads the instances
 * as they stand and folds them into their parent's state here; the trigger keeps the stored
 * parent in step by the same rule.
 */

/** The task id of a mapped task's instance: `transform[3]`. Task ids never contain brackets. */
export function mapInstanceId(taskId: string, mapIndex: number): string {
  return `${taskId}[${mapIndex}]`;
}

const INSTANCE = /^([A-Za-z0-9_.-]+)\[(\d+)\]$/;

/** A task instance id read back: its task, and its index when it is a mapped instance. */
export function parseInstanceId(id: string): { taskId: string; mapIndex?: number } {
  const m = INSTANCE.exec(id);
  return m ? { taskId: m[1]!, mapIndex: Number(m[2]) } : { taskId: id };
}

/** The definition an instance runs: its own task, or the mapped task it is an instance of. */
export function taskOfInstance(dag: Dag, id: string): ResolvedTask | undefined {
  const own = dag.taskById.get(id);
  if (own) return own;
  const { taskId, mapIndex } = parseInstanceId(id);
  const parent = mapIndex === undefined ? undefined : dag.taskById.get(taskId);
  return parent?.mapOver !== undefined ? parent : undefined;
}

/** Whether a DAG has mapped tasks; a DAG without them is evaluated exactly as before. */
export function hasMappedTasks(dag: Dag): boolean {
  return dag.tasks.some((t) => t.mapOver !== undefined);
}

const WAITING_OR_ACTIVE: ReadonlySet<TaskState> = new Set([
  'none',
  'scheduled',
  'queued',
  'running',
  'up_for_retry',
  'up_for_reschedule',
]);

/**
 * A mapped task's state from its instances' (the trigger of migration 0008 decides the same):
 * one still waiting or active → `running`; all final → `failed` if one failed, else
 * `upstream_failed`, `cancelled`, `skipped` when all were skipped, and `success` otherwise.
 */
export function aggregateMapped(states: readonly TaskState[]): TaskState {
  if (states.some((s) => WAITING_OR_ACTIVE.has(s))) return 'running';
  for (const s of ['failed', 'upstream_failed', 'cancelled'] as const) if (states.includes(s)) return s;
  return states.length > 0 && states.every((s) => s === 'skipped') ? 'skipped' : 'success';
}

/**
 * A run's task states as the trigger rules read them: one per task of the DAG, a mapped task's
 * taken from its instances. The parent row's stored state may lag (a finishing try reads the
 * instances as its statement left them, the parent as it was before), so it counts only while
 * the task has not been expanded (`none`), or when it has no instance (skipped on an empty
 * list, failed on a bad one, settled without running). Instances still `none` are left over
 * from a clear and belong to no expansion; they do not count. Every other field of an entry is
 * kept (a branch's choice).
 */
export function foldMapped<V extends { state: TaskState }>(
  dag: Dag,
  states: ReadonlyMap<string, V>,
): ReadonlyMap<string, V> {
  if (!hasMappedTasks(dag)) return states;
  const instances = new Map<string, TaskState[]>();
  for (const [id, { state }] of states) {
    const { taskId, mapIndex } = parseInstanceId(id);
    if (mapIndex === undefined || state === 'none') continue;
    const list = instances.get(taskId);
    if (list) list.push(state);
    else instances.set(taskId, [state]);
  }
  const folded = new Map<string, V>();
  for (const t of dag.tasks) {
    const entry = states.get(t.id);
    const stored = entry?.state ?? 'none';
    const children = t.mapOver === undefined || stored === 'none' ? undefined : instances.get(t.id);
    if (children) folded.set(t.id, { ...entry!, state: aggregateMapped(children) });
    else if (entry) folded.set(t.id, entry);
  }
  return folded;
}

/**
 * The task a state belongs to in a folded view: an instance's parent, a task itself, or
 * undefined for a mapped task's own row, whose state is derived and never read directly.
 */
export function foldedTaskOf(dag: Dag, id: string): string | undefined {
  const { taskId, mapIndex } = parseInstanceId(id);
  if (mapIndex !== undefined) return taskId;
  return dag.taskById.get(id)?.mapOver !== undefined ? undefined : id;
}

/**
 * The element an instance runs for: item `mapIndex` of its upstream's list, which the claim
 * hands over with the other upstream outputs.
 */
export function mapItemOf(task: ResolvedTask, upstream: Record<string, unknown>, mapIndex: number): unknown {
  const list = task.mapOver === undefined ? undefined : upstream[task.mapOver];
  return Array.isArray(list) ? list[mapIndex] : undefined;
}
