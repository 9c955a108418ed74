import type { RunWithTasks, TaskState } from './engine.js';
import { inTaskOrder } from './mappedTasks.js';

export interface GanttBar {
  task_id: string;
  state: TaskState;
  try_number: number;
  /** The latest try's times as the engine stores them; null where that step has not happened. */
  queued_at: Date | null;
  started_at: Date | null;
  ended_at: Date | null;
}

export interface Gantt {
  run_id: number;
  dag_id: string;
  /** The shared time axis: earliest queue or start, latest end (or now while a task runs). */
  from: Date | null;
  to: Date | null;
  bars: GanttBar[];
}

/** One bar per task instance of a run, in the DAG's task order (a mapped task's instances after it). */
export function ganttOf({ run, tasks }: RunWithTasks, order: readonly string[], now = new Date()): Gantt {
  const sorted = inTaskOrder(tasks, order);
  const bars = sorted.map((t) => ({
    task_id: t.task_id,
    state: t.state,
    try_number: t.try_number,
    queued_at: t.queued_at,
    started_at: t.started_at,
    ended_at: t.ended_at,
  }));
  const starts = bars.flatMap((b) => [b.queued_at, b.started_at]).filter((d): d is Date => d !== null);
  const ends = bars
    .flatMap((b) => [b.ended_at ?? (b.started_at ? now : null)])
    .filter((d): d is Date => d !== null);
  const from = starts.length > 0 ? new Date(Math.min(...starts.map((d) => d.getTime()))) : null;
  const to =
    from === null
      ? null
      : new Date(Math.max(from.getTime() + 1, ...[...starts, ...ends].map((d) => d.getTime())));
  return { run_id: run.id, dag_id: run.dag_id, from, to, bars };
}
