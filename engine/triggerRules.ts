import type { RunState, TaskState } from './store/index.js';
import type { Dag, TriggerRule } from './dag.js';

/** States after which a task instance never changes again (unless an operator clears it). */
export const FINAL_STATES: ReadonlySet<TaskState> = new Set([
  'success',
  'failed',
  'upstream_failed',
  'skipped',
]);
const FAILED: ReadonlySet<TaskState> = new Set(['failed', 'upstream_failed']);

export interface RunEvaluation {
  /** Tasks in state `none` whose trigger rule is now met: to enqueue. */
  queue: string[];
  /** Tasks in state `none` that can never run: their final state. */
  settle: Array<{ taskId: string; state: 'upstream_failed' | 'skipped' }>;
  /** `success` when every leaf task succeeded or was skipped, `failed` when all are final otherwise. */
  runState: RunState;
}

/**
 * Decides, from the current states of a run's task instances, which waiting tasks start and
 * which are settled without running. Walks the DAG in topological order so a settled task
 * settles its own downstream tasks in the same pass.
 *   all_success: every upstream succeeded (a failed one → upstream_failed, a skipped one → skipped)
 *   all_done:    every upstream is final, whatever its state
 *   one_failed:  at least one upstream failed (starts at once); all final and none failed → skipped
 *   none_failed: every upstream final and none failed (skipped is fine); a failed one → upstream_failed
 */
export function evaluateRun(dag: Dag, current: ReadonlyMap<string, { state: TaskState }>): RunEvaluation {
  const states = new Map<string, TaskState>();
  for (const t of dag.tasks) states.set(t.id, current.get(t.id)?.state ?? 'none');
  const queue: string[] = [];
  const settle: RunEvaluation['settle'] = [];
  for (const t of dag.tasks) {
    if (states.get(t.id) !== 'none') continue;
    const up = t.upstream.map((u) => states.get(u)!);
    const decision = decide(t.triggerRule, up);
    if (decision === 'wait') continue;
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
    const leavesOk = dag.tasks
      .filter((t) => t.downstream.length === 0)
      .every((t) => states.get(t.id) === 'success' || states.get(t.id) === 'skipped');
    runState = leavesOk ? 'success' : 'failed';
  }
  return { queue, settle, runState };
}

function decide(rule: TriggerRule, up: TaskState[]): 'wait' | 'run' | 'upstream_failed' | 'skipped' {
  const allFinal = up.every((s) => FINAL_STATES.has(s));
  const anyFailed = up.some((s) => FAILED.has(s));
  switch (rule) {
    case 'all_success':
      if (anyFailed) return 'upstream_failed';
      if (!allFinal) return 'wait';
      return up.some((s) => s === 'skipped') ? 'skipped' : 'run';
    case 'all_done':
      return allFinal ? 'run' : 'wait';
    case 'one_failed':
      if (anyFailed) return 'run';
      return allFinal ? 'skipped' : 'wait';
    case 'none_failed':
      if (anyFailed) return 'upstream_failed';
      return allFinal ? 'run' : 'wait';
  }
}
