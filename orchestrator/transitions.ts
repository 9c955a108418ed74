import type { Knex } from '../platform/index.js';
import { WareflowError } from '../platform/index.js';
import {
  applyTransitions,
  insertRun,
  insertTaskLogs,
  lockRun,
  recordTry,
  taskStates,
  type NewRun,
  type QueuedTry,
  type RunState,
  type TaskLogLine,
  type TaskState,
  type TryOutcome,
} from '../db/orchestrator/index.js';
import type { Dag, ResolvedTask } from './dag.js';
import { evaluateRun } from './triggerRules.js';

/**
 * Re-evaluates a run whose row the caller has locked (`lockRun`): queues the tasks whose trigger
 * rule is met, settles those that can never run, ends the run when everything is final.
 * Returns the tries to enqueue once the transaction has committed.
 */
export async function advanceRun(
  trx: Knex.Transaction,
  dag: Dag,
  runId: number,
  known?: { states: ReadonlyMap<string, { state: TaskState }>; runState: string },
): Promise<{ queued: QueuedTry[]; runState: RunState }> {
  const states = known?.states ?? (await taskStates(trx, runId));
  const evaluation = evaluateRun(dag, states);
  const queued = await applyTransitions(trx, runId, evaluation, known?.runState);
  return {
    runState: evaluation.runState,
    queued: queued.map((q) => ({
      runId,
      dagId: dag.id,
      taskId: q.task_id,
      pool: q.pool,
      tryNumber: q.try_number,
    })),
  };
}

/** Creates a run with its task instances and queues its root tasks, in the caller's transaction. */
export async function createRunInTx(
  trx: Knex.Transaction,
  dag: Dag,
  run: Omit<NewRun, 'tasks' | 'dagId'>,
): Promise<{ runId: number; queued: QueuedTry[] } | undefined> {
  const runId = await insertRun(trx, {
    ...run,
    dagId: dag.id,
    tasks: dag.tasks.map((t) => ({ taskId: t.id, pool: t.pool, maxTries: t.retries + 1 })),
  });
  if (runId === undefined) return undefined;
  const { queued } = await advanceRun(trx, dag, runId);
  return { runId, queued };
}

/** The delay before try `nextTry` (2, 3, …): retryDelayMs doubled per retry, capped. */
export function retryDelayMs(
  task: Pick<ResolvedTask, 'retryDelayMs' | 'maxRetryDelayMs'>,
  nextTry: number,
): number {
  return Math.min(task.maxRetryDelayMs, task.retryDelayMs * 2 ** Math.max(0, nextTry - 2));
}

/**
 * Whether a failed try is retried: only while tries are left, and never for an error that says it
 * is not retriable (a WareflowError with `retriable: false`, e.g. invalid params). Any other
 * error is retried, as Airflow does.
 */
export function failureOutcome(
  task: ResolvedTask,
  tryNumber: number,
  maxTries: number,
  error: Error,
  now: Date,
): TryOutcome {
  const message = error.message || error.name;
  const permanent = error instanceof WareflowError && !error.retriable;
  if (tryNumber < maxTries && !permanent) {
    return {
      kind: 'retry',
      error: message,
      notBefore: new Date(now.getTime() + retryDelayMs(task, tryNumber + 1)),
    };
  }
  return { kind: 'failed', error: message };
}

export interface FinishResult {
  /** False when the try was no longer this worker's (taken over, cleared, marked): nothing changed. */
  recorded: boolean;
  queued: QueuedTry[];
  runState: RunState | undefined;
}

/**
 * Records the end of a try and hands off to the downstream tasks in ONE transaction, under the
 * run's row lock: the state change and the decision of what runs next commit together, and the
 * tries to enqueue are returned for the caller to add to BullMQ after the commit (their job ids
 * are deterministic, and the scheduler's sweep enqueues any the caller did not).
 */
export async function finishTry(
  knex: Knex,
  dag: Dag,
  args: {
    runId: number;
    taskId: string;
    tryNumber: number;
    workerId: string | null;
    outcome: TryOutcome;
    logs?: TaskLogLine[];
  },
): Promise<FinishResult> {
  return knex.transaction(async (trx) => {
    if (args.logs?.length) await insertTaskLogs(trx, args.logs);
    const run = await lockRun(trx, args.runId);
    if (!run) return { recorded: false, queued: [], runState: undefined };
    const { recorded, states } = await recordTry(trx, args);
    if (!recorded) return { recorded: false, queued: [], runState: undefined };
    const retry: QueuedTry[] = [];
    const task = dag.taskById.get(args.taskId);
    if (args.outcome.kind === 'retry' || args.outcome.kind === 'handed_back') {
      retry.push({
        runId: args.runId,
        dagId: dag.id,
        taskId: args.taskId,
        pool: task?.pool ?? 'default',
        tryNumber: args.tryNumber + 1,
        ...(args.outcome.kind === 'retry' ? { notBefore: args.outcome.notBefore } : {}),
      });
      return { recorded, queued: retry, runState: 'running' as RunState };
    }
    const { queued, runState } = await advanceRun(trx, dag, args.runId, { states, runState: run.state });
    return { recorded, queued, runState };
  });
}
