import type { Knex } from '../platform/index.js';
import { WareflowError } from '../platform/index.js';
import {
  applyTransitions,
  insertRun,
  insertTaskLogs,
  recordTry,
  shareLockRun,
  taskStates,
  type DagRunRow,
  type NewRun,
  type QueuedTry,
  type RunState,
  type TaskLogLine,
  type TaskState,
  type TryOutcome,
} from '../db/orchestrator/index.js';
import type { Dag, ResolvedTask } from './dag.js';
import { evaluateRun, type RunEvaluation } from './triggerRules.js';

/**
 * Re-evaluates a run whose row the caller has locked (`lockRun`, or `shareLockRun` for a finishing
 * try — see `finishTry`): queues the tasks whose trigger
 * rule is met, settles those that can never run, ends the run when everything is final.
 * Returns the tries to enqueue once the transaction has committed.
 */
export async function advanceRun(
  trx: Knex.Transaction,
  dag: Dag,
  runId: number,
  known?: {
    states: ReadonlyMap<string, { state: TaskState }>;
    runState: string;
    evaluation?: RunEvaluation;
  },
): Promise<{ queued: QueuedTry[]; runState: RunState }> {
  const states = known?.states ?? (await taskStates(trx, runId));
  const evaluation = known?.evaluation ?? evaluateRun(dag, states);
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

/**
 * Creates a run with its task instances and queues its root tasks in one statement (in the
 * caller's transaction, or on its own). The roots are decided before the insert: with every task
 * waiting, the trigger rules depend on the DAG alone.
 */
export async function createRunInTx(
  trx: Knex | Knex.Transaction,
  dag: Dag,
  run: Omit<NewRun, 'tasks' | 'dagId' | 'state'>,
): Promise<{ runId: number; run: DagRunRow; queued: QueuedTry[] } | undefined> {
  const evaluation = evaluateRun(dag, new Map());
  const initial = new Map<string, TaskState>([
    ...evaluation.queue.map((t): [string, TaskState] => [t, 'queued']),
    ...evaluation.settle.map((s): [string, TaskState] => [s.taskId, s.state]),
  ]);
  const row = await insertRun(trx, {
    ...run,
    dagId: dag.id,
    state: evaluation.runState,
    tasks: dag.tasks.map((t) => ({
      taskId: t.id,
      pool: t.pool,
      maxTries: t.retries + 1,
      state: initial.get(t.id) ?? 'none',
    })),
  });
  if (row === undefined) return undefined;
  const queued = evaluation.queue.map((taskId) => ({
    runId: row.id,
    dagId: dag.id,
    taskId,
    pool: dag.taskById.get(taskId)!.pool,
    tryNumber: 1,
  }));
  return { runId: row.id, run: row, queued };
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

/** SQLSTATEs after which the whole transaction is run again: deadlock, serialization failure. */
const RETRIED_SQLSTATES = new Set(['40P01', '40001']);
const ACTIVE: ReadonlySet<TaskState> = new Set(['queued', 'running', 'up_for_retry']);

/**
 * Whether a finished try must look at its run again after committing. Tries of one run finish
 * side by side (the run row is only share-locked), so two that end at once may each miss the
 * other's uncommitted result: neither queues their common downstream task, or neither ends the
 * run. Whichever of them commits last sees both once it reads again after its commit, so a try
 * reads again when another try of the run was in flight and a waiting task (or the end of the
 * run) depends on both.
 */
function mustRecheck(
  dag: Dag,
  taskId: string,
  states: ReadonlyMap<string, { state: TaskState }>,
  evaluation: RunEvaluation,
): boolean {
  if (evaluation.runState !== 'running') return false;
  const inFlight = new Set<string>();
  for (const [id, { state }] of states) if (id !== taskId && ACTIVE.has(state)) inFlight.add(id);
  if (inFlight.size === 0) return false;
  const changed = new Set([taskId, ...evaluation.settle.map((s) => s.taskId)]);
  const decided = new Set([...evaluation.queue, ...changed]);
  let waiting = 0;
  for (const t of dag.tasks) {
    if ((states.get(t.id)?.state ?? 'none') !== 'none' || decided.has(t.id)) continue;
    waiting += 1;
    if (t.upstream.some((u) => inFlight.has(u)) && t.upstream.some((u) => changed.has(u))) return true;
  }
  return waiting === 0;
}

/**
 * Records the end of a try and hands off to the downstream tasks in ONE transaction: the state
 * change and the decision of what runs next commit together, and the tries to enqueue are
 * returned for the caller to add to BullMQ after the commit (their job ids are deterministic, and
 * the scheduler's sweep enqueues any the caller did not). The run row is share-locked, so the
 * tries of a wide DAG finish in parallel; see `mustRecheck` for the one case that needs a second
 * look, and the scheduler's sweep for a worker that dies between the two.
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
  const first = await retryOnConflict(() => recordAndAdvance(knex, dag, args));
  if (!first.recheck) return first;
  // The second look is a plain read; only when it finds work does it take the share lock and
  // decide again from states read under it.
  const seen = evaluateRun(dag, await taskStates(knex, args.runId));
  if (seen.queue.length === 0 && seen.settle.length === 0 && seen.runState === 'running') return first;
  const again = await retryOnConflict(() =>
    knex.transaction(async (trx) => {
      const run = await shareLockRun(trx, args.runId);
      if (!run || run.state !== 'running') return undefined;
      return advanceRun(trx, dag, args.runId, {
        states: await taskStates(trx, args.runId),
        runState: run.state,
      });
    }),
  );
  if (!again) return first;
  return { recorded: true, queued: [...first.queued, ...again.queued], runState: again.runState };
}

async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= 5 || typeof code !== 'string' || !RETRIED_SQLSTATES.has(code)) throw err;
    }
  }
}

async function recordAndAdvance(
  knex: Knex,
  dag: Dag,
  args: Parameters<typeof finishTry>[2],
): Promise<FinishResult & { recheck: boolean }> {
  return knex.transaction(async (trx) => {
    if (args.logs?.length) await insertTaskLogs(trx, args.logs);
    const run = await shareLockRun(trx, args.runId);
    if (!run) return { recorded: false, queued: [], runState: undefined, recheck: false };
    const { recorded, states } = await recordTry(trx, args);
    if (!recorded) return { recorded: false, queued: [], runState: undefined, recheck: false };
    const task = dag.taskById.get(args.taskId);
    if (args.outcome.kind === 'retry' || args.outcome.kind === 'handed_back') {
      const retry: QueuedTry = {
        runId: args.runId,
        dagId: dag.id,
        taskId: args.taskId,
        pool: task?.pool ?? 'default',
        tryNumber: args.tryNumber + 1,
        ...(args.outcome.kind === 'retry' ? { notBefore: args.outcome.notBefore } : {}),
      };
      return { recorded, queued: [retry], runState: 'running' as RunState, recheck: false };
    }
    const evaluation = evaluateRun(dag, states);
    const { queued, runState } = await advanceRun(trx, dag, args.runId, {
      states,
      runState: run.state,
      evaluation,
    });
    return { recorded, queued, runState, recheck: mustRecheck(dag, args.taskId, states, evaluation) };
  });
}
