import type { Knex } from '../platform/index.js';
import {
  taskInstance,
  taskLogs,
  tryLogSummaries,
  type TaskLogQuery,
  type TaskLogRow,
  type TaskState,
} from './store/index.js';
import { FINAL_STATES } from './triggerRules.js';

/** One try of a task instance, as its log tells it. */
export interface TryLogView {
  tryNumber: number;
  /**
   * The current try: the task instance's state. An earlier one: how the engine ended it
   * (`retried`, `failed`, `handed_back`, …), or `unknown` when its end was not recorded.
   */
  state: string;
  /** Lines this try has stored in all (not only those returned). */
  lineCount: number;
  /** This try's lines in the answer: all of them, or those after `afterId`. */
  lines: TaskLogRow[];
}

/** A task instance's log, each try's lines with the engine's events among them, and its result. */
export interface TaskLogView {
  runId: number;
  taskId: string;
  /** The task instance's state, or undefined when the run has no such task. */
  state: TaskState | undefined;
  /** The current (or last) try; 0 before the first. */
  tryNumber: number;
  /** The output of the successful try, once there is one. */
  output: unknown;
  error: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  /** Tries oldest first; with `tryNumber`, only that one. */
  tries: TryLogView[];
  /** The largest line id in the answer (or the `afterId` given): poll again with it as `afterId`. */
  lastId: number | null;
  /** The task instance is final: no line will be added unless an operator clears it. */
  final: boolean;
}

/**
 * Reads a task instance's log for a page or a CLI, and for a live view that polls: pass the
 * `lastId` of the previous answer as `afterId` to get only what was stored since (lines are
 * stored while the try runs, at most ~250 ms after `ctx.log`), and stop polling once `final`.
 */
export async function readTaskLog(
  knex: Knex,
  runId: number,
  taskId: string,
  query: TaskLogQuery = {},
): Promise<TaskLogView> {
  const [ti, summaries, lines] = await Promise.all([
    taskInstance(knex, runId, taskId),
    tryLogSummaries(knex, runId, taskId),
    taskLogs(knex, runId, taskId, query),
  ]);
  const current = ti?.try_number ?? 0;
  const numbers = new Set(summaries.map((s) => s.try_number));
  if (current > 0) numbers.add(current);
  const tries = [...numbers]
    .filter((n) => query.tryNumber === undefined || n === query.tryNumber)
    .sort((a, b) => a - b)
    .map((n): TryLogView => {
      const summary = summaries.find((s) => s.try_number === n);
      return {
        tryNumber: n,
        state: n === current && ti ? ti.state : (summary?.ended_by ?? 'unknown'),
        lineCount: summary?.lines ?? 0,
        lines: lines.filter((l) => l.try_number === n),
      };
    });
  return {
    runId,
    taskId,
    state: ti?.state,
    tryNumber: current,
    output: ti?.state === 'success' ? ti.output : null,
    error: ti?.error ?? null,
    startedAt: ti?.started_at ?? null,
    endedAt: ti?.ended_at ?? null,
    tries,
    lastId: lines.at(-1)?.id ?? query.afterId ?? null,
    final: ti !== undefined && FINAL_STATES.has(ti.state),
  };
}
