import type { Knex } from '../platform/index.js';
import { isRetriable } from '../platform/index.js';
import {
  insertRun,
  readRuns,
  type DagRunRow,
  type NewRun,
  type QueuedRow,
  type QueuedTry,
  type RunState,
  type TaskState,
  type TryOutcome,
} from './store/index.js';
import type { Dag, ResolvedTask } from './dag.js';
import { evaluateRun } from './triggerRules.js';
import { pastStatesOf } from './pastStates.js';
import { TryOutcomeSignal } from './taskOutcomes.js';
import { applyDecisions } from './expansion.js';
import { foldMapped } from './mapping.js';

/**
 * Re-evaluates a run whose row the caller holds FOR UPDATE (`lockRun`; finishing tries use the
 * run's version instead, see `finishTries`): queues the tasks whose trigger rule is met, settles
 * those that can never run, ends the run when everything is final. Returns the tries to enqueue
 * once the transaction has committed, and whether tasks now wait for a slot (`scheduled`: grant
 * slots once committed, see `grantSlots`).
 */
export async function advanceRun(
  trx: Knex.Transaction,
  dag: Dag,
  runId: number,
): Promise<{ queued: QueuedTry[]; runState: RunState; scheduled: boolean }> {
  const run = (await readRuns(trx, [runId])).get(runId);
  const [past] = await pastStatesOf(trx, [{ dag, runId }]);
  const evaluation = evaluateRun(dag, foldMapped(dag, run?.tasks ?? new Map()), past);
  const { queued, scheduled } = await applyDecisions(trx, [{ runId, ...evaluation }], () => dag);
  return {
    runState: evaluation.runState,
    queued: queuedTries(queued, () => dag),
    scheduled: scheduled.length > 0,
  };
}

/** The tries of queued rows, as the queues take them. */
export function queuedTries(rows: QueuedRow[], dagOf: (runId: number) => Dag): QueuedTry[] {
  return rows.map((q) => ({
    runId: q.run_id,
    dagId: dagOf(q.run_id).id,
    taskId: q.task_id,
    pool: q.pool,
    tryNumber: q.try_number,
    tryKey: q.try_key,
    runPriority: q.priority,
  }));
}

/**
 * Creates a run with its task instances and queues its root tasks in one statement (in the
 * caller's transaction, or on its own). The roots are decided before the insert: with every task
 * waiting, the trigger rules depend on the DAG alone. Roots whose pool has a limit, or all of
 * them when the DAG has a cap, wait in `scheduled` (`scheduled`: grant slots once committed).
 */
export async function createRunInTx(
  trx: Knex | Knex.Transaction,
  dag: Dag,
  run: Omit<NewRun, 'tasks' | 'dagId' | 'state' | 'maxActiveTasks'>,
): Promise<{ runId: number; run: DagRunRow; queued: QueuedTry[]; scheduled: boolean } | undefined> {
  const [past] = await pastStatesOf(trx, [{ dag, logicalDate: run.logicalDate }]);
  const evaluation = evaluateRun(dag, new Map(), past);
  const initial = new Map<string, TaskState>([
    ...evaluation.queue.map((t): [string, TaskState] => [t, 'queued']),
    ...evaluation.settle.map((s): [string, TaskState] => [s.taskId, s.state]),
  ]);
  const inserted = await insertRun(trx, {
    ...run,
    dagId: dag.id,
    state: evaluation.runState,
    maxActiveTasks: dag.maxActiveTasks ?? null,
    tasks: dag.tasks.map((t) => ({
      taskId: t.id,
      pool: t.pool,
      maxTries: t.retries + 1,
      state: initial.get(t.id) ?? 'none',
      poolSlots: t.poolSlots,
      priorityWeight: t.priorityWeight,
    })),
  });
  if (inserted === undefined) return undefined;
  const { run: row, tryKeys, scheduled } = inserted;
  const queued = evaluation.queue
    .filter((taskId) => tryKeys.has(taskId))
    .map((taskId) => ({
      runId: row.id,
      dagId: dag.id,
      taskId,
      pool: dag.taskById.get(taskId)!.pool,
      tryNumber: 1,
      tryKey: tryKeys.get(taskId)!,
      runPriority: row.priority,
    }));
  return { runId: row.id, run: row, queued, scheduled: scheduled.length > 0 };
}

/** The delay before try `nextTry` (2, 3, …): retryDelayMs doubled per retry, capped. */
export function retryDelayMs(
  task: Pick<ResolvedTask, 'retryDelayMs' | 'maxRetryDelayMs'>,
  nextTry: number,
): number {
  return Math.min(task.maxRetryDelayMs, task.retryDelayMs * 2 ** Math.max(0, nextTry - 2));
}

/**
 * How a failed try ends: retried after its backoff while tries are left, unless `isRetriable`
 * (platform/errors.ts, the one place that decides) says another try cannot help — a
 * `PermanentTaskError`, an `InvalidInputError` or `ConfigError`, or an error with
 * `retriable: false`. Such an error fails the task instance at once, whatever retries remain.
 * A `TryOutcomeSignal` (a sensor's reschedule, a task skipping itself) is its own outcome.
 */
export function failureOutcome(
  task: ResolvedTask,
  tryNumber: number,
  maxTries: number,
  error: Error,
  now: Date,
): TryOutcome {
  if (error instanceof TryOutcomeSignal) return error.outcome();
  const message = error.message || error.name;
  if (tryNumber < maxTries && isRetriable(error)) {
    return {
      kind: 'retry',
      error: message,
      notBefore: new Date(now.getTime() + retryDelayMs(task, tryNumber + 1)),
    };
  }
  return { kind: 'failed', error: message };
}
