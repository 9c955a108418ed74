import type { TaskInstanceRow, TaskState } from './engine.js';

/** A mapped task's instances in one run, as the grid, the pages and the API show them. */
export interface MappedInstances {
  /** Instances of the task's current expansion (0 for an empty list). */
  total: number;
  /** Instances per state, only the states that occur. */
  counts: Partial<Record<TaskState, number>>;
  instances: Array<Pick<TaskInstanceRow, 'task_id' | 'map_index' | 'state' | 'try_number' | 'max_tries'>>;
}

/**
 * The instances of mapped task `taskId` among a run's task instances, or undefined when it has
 * not been expanded (never, or not since it was cleared): then only its own state means anything.
 */
export function mappedInstancesOf(
  tasks: readonly TaskInstanceRow[],
  taskId: string,
): MappedInstances | undefined {
  const parent = tasks.find((t) => t.task_id === taskId);
  if (parent?.map_count === null || parent?.map_count === undefined) return undefined;
  const instances = tasks
    .filter((t) => t.map_parent === taskId && t.map_index !== null && t.map_index < parent.map_count!)
    .sort((a, b) => a.map_index! - b.map_index!)
    .map((t) => ({
      task_id: t.task_id,
      map_index: t.map_index,
      state: t.state,
      try_number: t.try_number,
      max_tries: t.max_tries,
    }));
  const counts: MappedInstances['counts'] = {};
  for (const i of instances) counts[i.state] = (counts[i.state] ?? 0) + 1;
  return { total: parent.map_count, counts, instances };
}

/** Each state's mark, as the grid's count reads: `12 ✓ 1 ✗ 2 ▶`. */
const MARKS: Partial<Record<TaskState, string>> = {
  success: '✓',
  failed: '✗',
  running: '▶',
  queued: '…',
  scheduled: '…',
  up_for_retry: '↻',
  up_for_reschedule: '↻',
  upstream_failed: '⊘',
  skipped: '–',
  cancelled: '■',
  none: '·',
};

/** The counts in a few characters, most advanced first; `0 instances` for an empty list. */
export function countsText(mapped: MappedInstances): string {
  if (mapped.total === 0) return '0 instances';
  const order: TaskState[] = [
    'success',
    'failed',
    'upstream_failed',
    'cancelled',
    'skipped',
    'running',
    'up_for_retry',
    'up_for_reschedule',
    'queued',
    'scheduled',
    'none',
  ];
  return order
    .filter((s) => mapped.counts[s])
    .map((s) => `${mapped.counts[s]} ${MARKS[s]}`)
    .join(' ');
}

/**
 * A run's task instances in the DAG's order, each mapped task followed by its instances in
 * index order (run page, Gantt).
 */
export function inTaskOrder<T extends Pick<TaskInstanceRow, 'task_id' | 'map_parent' | 'map_index'>>(
  tasks: readonly T[],
  order: readonly string[],
): T[] {
  const rank = (t: T) => order.indexOf(t.map_parent ?? t.task_id);
  return [...tasks].sort((a, b) => rank(a) - rank(b) || (a.map_index ?? -1) - (b.map_index ?? -1));
}
