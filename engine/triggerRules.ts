import type { RunState, TaskState } from './store/index.js';
import type { Dag, TriggerRule } from './dag.js';

/** States after which a task instance never changes again (unless an operator clears it). */
export const FINAL_STATES: ReadonlySet<TaskState> = new Set([
  'success',
  'failed',
  'upstream_failed',
  'skipped',
  'cancelled',
]);
const FAILED: ReadonlySet<TaskState> = new Set(['failed', 'upstream_failed']);

type Settled = 'upstream_failed' | 'skipped' | 'cancelled';

/** A task instance as the rules read it: its state and, for a branch that succeeded, its choice. */
export interface TaskView {
  state: TaskState;
  /** The direct downstream tasks a branch task chose; null or absent: every one follows. */
  followed?: readonly string[] | null;
}

/**
 * For the tasks with `dependsOnPast`: the same task in the run's previous run (`null` when there
 * is none, or it has no such task: nothing to wait for).
 */
export type PastStates = ReadonlyMap<string, { runId: number; state: TaskState } | null>;

export interface RunEvaluation {
  /** Tasks in state `none` whose trigger rule is now met: to enqueue. */
  queue: string[];
  /** Tasks in state `none` that can never run: their final state. */
  settle: Array<{ taskId: string; state: Settled }>;
  /**
   * Once every task is final: `success` when every leaf task succeeded or was skipped, `failed`
   * when a leaf failed (or its upstream did), `cancelled` otherwise (a leaf was cancelled).
   */
  runState: RunState;
  /** Tasks whose trigger rule is met but that wait for their previous run (`dependsOnPast`). */
  waitingOnPast: Array<{ taskId: string; runId: number; state: TaskState }>;
}

/**
 * Decides, from the current states of a run's task instances, which waiting tasks start and
 * which are settled without running. Walks the DAG in topological order so a settled task
 * settles its own downstream tasks in the same pass.
 *   all_success: every upstream succeeded (a failed one → upstream_failed, a skipped one → skipped)
 *   all_done:    every upstream is final, whatever its state
 *   one_failed:  at least one upstream failed (starts at once); all final and none failed → skipped
 *   none_failed: every upstream final and none failed (skipped is fine); a failed one → upstream_failed
 * A cancelled upstream task is final and not a failure: where all_success or none_failed would
 * wait for it to succeed, the task is cancelled too (unless another upstream failed, which makes it
 * upstream_failed); all_done runs after it; one_failed does not count it as a failure.
 * A branch task that succeeded skips the direct downstream tasks it did not choose, whatever their
 * rule; their own downstream tasks then follow the rules above (a none_failed join runs). A task
 * with `dependsOnPast` whose rule says run waits until the same task of the previous run
 * (`past`, read by the caller; without it such a task waits) succeeded or was skipped.
 */
export function evaluateRun(
  dag: Dag,
  current: ReadonlyMap<string, TaskView>,
  past?: PastStates,
): RunEvaluation {
  const states = new Map<string, TaskState>();
  for (const t of dag.tasks) states.set(t.id, current.get(t.id)?.state ?? 'none');
  const queue: string[] = [];
  const settle: RunEvaluation['settle'] = [];
  const waitingOnPast: RunEvaluation['waitingOnPast'] = [];
  for (const t of dag.tasks) {
    if (states.get(t.id) !== 'none') continue;
    const up = t.upstream.map((u) => states.get(u)!);
    const notChosen = t.upstream.some((u) => {
      const followed = current.get(u)?.followed;
      return states.get(u) === 'success' && followed != null && !followed.includes(t.id);
    });
    const decision = notChosen ? 'skipped' : decide(t.triggerRule, up);
    if (decision === 'wait') continue;
    if (decision === 'run' && t.dependsOnPast) {
      const previous = past ? past.get(t.id) : { runId: 0, state: 'none' as const };
      if (previous && previous.state !== 'success' && previous.state !== 'skipped') {
        waitingOnPast.push({ taskId: t.id, ...previous });
        continue;
      }
    }
    if (decision === 'run') {
      queue.push(t.id);
      states.set(t.id, 'queued');
    } else {
      settle.push({ taskId: t.id, state: decision });
      states.set(t.id, decision);
    }
  }
  let runState: RunState = 'running';
  if ([...states.values()].every((s) => FINAL_STATES.has(s))) {
    const leaves = dag.tasks.filter((t) => t.downstream.length === 0).map((t) => states.get(t.id)!);
    if (leaves.every((s) => s === 'success' || s === 'skipped')) runState = 'success';
    else if (leaves.some((s) => FAILED.has(s))) runState = 'failed';
    else runState = 'cancelled';
  }
  return { queue, settle, runState, waitingOnPast };
}

function decide(rule: TriggerRule, up: TaskState[]): 'wait' | 'run' | Settled {
  const allFinal = up.every((s) => FINAL_STATES.has(s));
  const anyFailed = up.some((s) => FAILED.has(s));
  const anyCancelled = up.includes('cancelled');
  switch (rule) {
    case 'all_success':
      if (anyFailed) return 'upstream_failed';
      if (!allFinal) return 'wait';
      if (anyCancelled) return 'cancelled';
      return up.some((s) => s === 'skipped') ? 'skipped' : 'run';
    case 'all_done':
      return allFinal ? 'run' : 'wait';
    case 'one_failed':
      if (anyFailed) return 'run';
      return allFinal ? 'skipped' : 'wait';
    case 'none_failed':
      if (anyFailed) return 'upstream_failed';
      if (!allFinal) return 'wait';
      return anyCancelled ? 'cancelled' : 'run';
  }
}
