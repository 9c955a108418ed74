import type { Knex } from '../platform/index.js';
import { isRetriable, isTransactionConflict } from '../platform/index.js';
import {
  insertRun,
  readRuns,
  recordTries,
  type DagRunRow,
  type NewRun,
  type QueuedRow,
  type QueuedTry,
  type RunTransitions,
  type RunView,
  type RunState,
  type TaskState,
  type TryEnd,
  type TryOutcome,
} from './store/index.js';
import type { Dag, ResolvedTask } from './dag.js';
import { evaluateRun, type RunEvaluation } from './triggerRules.js';
import { outletEvents } from './assets.js';
import { pastStatesOf, runsReleasedBy, type EndedTask } from './pastStates.js';
import { TryOutcomeSignal } from './taskOutcomes.js';
import { chosenDownstream } from './taskKinds.js';
import { applyDecisions } from './expansion.js';
import { foldMapped, foldedTaskOf, taskOfInstance } from './mapping.js';
import { grantSlots } from './pools.js';

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

function queuedTries(rows: QueuedRow[], dagOf: (runId: number) => Dag): QueuedTry[] {
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

export interface FinishResult {
  /** False when the try was no longer this worker's (taken over, cleared, marked): nothing changed. */
  recorded: boolean;
  /** Tries to enqueue now. In a batch, a run's newly queued tasks come back with one of its tries. */
  queued: QueuedTry[];
  runState: RunState | undefined;
}

/**
 * One try's end, as handed to `finishTries`. Without its DAG (a worker that does not know it) the
 * end is recorded and nothing more: the scheduler's sweep, which knows the DAG, advances the run.
 */
export interface TryFinish extends TryEnd {
  dag?: Dag;
}

const ACTIVE: ReadonlySet<TaskState> = new Set(['queued', 'running', 'up_for_retry', 'up_for_reschedule']);

/**
 * Whether a run must be looked at again once its finished tries are recorded. Tries of one run
 * finish side by side (nothing locks the run while they are recorded), so two that end at once may
 * each miss the other's result: neither queues their common downstream task, or neither ends the
 * run. Whichever of them records last sees both when it reads again afterwards, so a finisher
 * reads again when another try of the run was in flight and a waiting task (or the end of the run)
 * depends on both.
 */
function mustRecheck(
  dag: Dag,
  finished: ReadonlySet<string>,
  states: ReadonlyMap<string, { state: TaskState }>,
  evaluation: RunEvaluation,
  folded: ReadonlyMap<string, { state: TaskState }>,
): boolean {
  if (evaluation.runState !== 'running') return false;
  // A mapped task's instances count as the task (see foldedTaskOf).
  const inFlight = new Set<string>();
  for (const [id, { state }] of states) {
    const task = foldedTaskOf(dag, id);
    if (task !== undefined && !finished.has(id) && ACTIVE.has(state)) inFlight.add(task);
  }
  if (inFlight.size === 0) return false;
  const ended = [...finished].flatMap((id) => foldedTaskOf(dag, id) ?? []);
  const changed = new Set([...ended, ...evaluation.settle.map((s) => s.taskId)]);
  const decided = new Set([...evaluation.queue, ...changed]);
  let waiting = 0;
  for (const t of dag.tasks) {
    if ((folded.get(t.id)?.state ?? 'none') !== 'none' || decided.has(t.id)) continue;
    waiting += 1;
    if (t.upstream.some((u) => inFlight.has(u)) && t.upstream.some((u) => changed.has(u))) return true;
  }
  return waiting === 0;
}

/** Rounds of deciding again after a stale read; past them the scheduler's sweep takes over. */
const MAX_DECISION_ROUNDS = 5;

/**
 * Records the end of tries and hands off to their downstream tasks, for any number of tries and
 * runs (a worker batches the tries that end together), in two statements and no lock held in
 * between: one records the ends and reads the runs, the other applies what the trigger rules
 * decide from that read. The tries to enqueue are returned for the caller to add to BullMQ (their
 * job ids are fixed per try, and the scheduler's sweep enqueues any the caller did not, or
 * advances a run whose worker died between the two statements). A decision is made again from
 * a fresh read when a clear or mark changed the run meanwhile (its version moved on), or when
 * another try of the run may have finished unseen at the same time (`mustRecheck`). A
 * `dependsOnPast` task that succeeded or was skipped has the next run, where the same task waits
 * for it, decided in the same way (`runsReleasedBy`). When a try freed a slot a waiting task may
 * take, or tasks now wait for one, slots are granted last and the tries granted come back with
 * the others. `onQueued`, when given, is handed each statement's tries as soon as it returns
 * them, so the caller can enqueue them while the runs of the batch that must be decided again
 * are (they come back in the results all the same).
 */
export async function finishTries(
  knex: Knex,
  tries: TryFinish[],
  onQueued?: (queued: QueuedTry[]) => void,
): Promise<FinishResult[]> {
  if (tries.length === 0) return [];
  const handOver = (queued: QueuedTry[]) => {
    if (queued.length > 0) onQueued?.(queued);
  };
  const dags = new Map(tries.flatMap((t) => (t.dag ? [[t.runId, t.dag] as const] : [])));
  const dagOf = (runId: number) => dags.get(runId)!;
  const ends = tries.map((t) => withAssetEvents(t));
  const { recorded, nextTryKeys, runPriorities, freedSlots, runs } = await retryOnConflict(() =>
    recordTries(knex, ends),
  );
  let grant = freedSlots.some(Boolean);
  const results: FinishResult[] = tries.map((_, i) => ({
    recorded: recorded[i]!,
    queued: [],
    runState: recorded[i] ? 'running' : undefined,
  }));
  const finished = new Map<number, Set<string>>();
  const ended: EndedTask[] = [];
  tries.forEach((t, i) => {
    if (!recorded[i] || !t.dag) return;
    const { kind } = t.outcome;
    if (kind === 'retry' || kind === 'handed_back' || kind === 'reschedule') {
      // A reschedule pokes again in the same try, under the new key recordTries drew for it.
      results[i]!.queued.push({
        runId: t.runId,
        dagId: t.dag.id,
        taskId: t.taskId,
        pool: taskOfInstance(t.dag, t.taskId)?.pool ?? 'default',
        tryNumber: kind === 'reschedule' ? t.tryNumber : t.tryNumber + 1,
        tryKey: nextTryKeys[i]!,
        runPriority: runPriorities[i]!,
        ...(t.outcome.kind === 'handed_back' ? {} : { notBefore: t.outcome.notBefore }),
      });
    } else {
      finished.set(t.runId, (finished.get(t.runId) ?? new Set<string>()).add(t.taskId));
      if (kind === 'success' || kind === 'skipped')
        ended.push({ dag: t.dag, runId: t.runId, taskId: t.taskId });
    }
  });
  handOver(results.flatMap((r) => r.queued));

  let decide: Array<{ runId: number; view: RunView | undefined; tasks?: ReadonlySet<string> }> = [
    ...finished,
  ].map(([runId, tasks]) => ({ runId, view: runs.get(runId), tasks }));
  for (let round = 1; decide.length > 0 && round <= MAX_DECISION_ROUNDS; round += 1) {
    const transitions: RunTransitions[] = [];
    const again = new Set<number>();
    const past = await pastStatesOf(
      knex,
      decide.map(({ runId }) => ({ dag: dagOf(runId), runId })),
    );
    for (const [k, { runId, view, tasks }] of decide.entries()) {
      if (!view) continue; // the run was deleted
      const dag = dagOf(runId);
      const folded = foldMapped(dag, view.tasks);
      const evaluation = evaluateRun(dag, folded, past[k]);
      setRunState(tries, results, runId, evaluation.runState);
      if (tasks && mustRecheck(dag, tasks, view.tasks, evaluation, folded)) again.add(runId);
      const unchanged =
        evaluation.queue.length === 0 &&
        evaluation.settle.length === 0 &&
        view.state === 'running' &&
        evaluation.runState === 'running';
      if (!unchanged)
        transitions.push({ runId, ...evaluation, previousRunState: view.state, version: view.version });
      for (const s of evaluation.settle)
        if (s.state === 'skipped') ended.push({ dag, runId, taskId: s.taskId });
    }
    const { queued, scheduled, stale } = await retryOnConflict(() =>
      applyDecisions(knex, transitions, dagOf),
    );
    const next = queuedTries(queued, dagOf);
    handOver(next);
    attachQueued(tries, results, next);
    if (scheduled.length > 0) grant = true;
    for (const runId of stale) again.add(runId);
    // The next run's instance of a dependsOnPast task that ended is decided now, as a downstream
    // task is, rather than at the scheduler's next pass (which stays as the safety net).
    for (const next of await runsReleasedBy(knex, ended.splice(0))) {
      dags.set(next.runId, next.dag);
      again.add(next.runId);
    }
    if (again.size === 0) break;
    const fresh = await readRuns(knex, [...again]);
    decide = [...again].map((runId) => ({ runId, view: fresh.get(runId) }));
  }
  if (grant) {
    const granted = await grantSlots(knex);
    handOver(granted);
    attachQueued(tries, results, granted);
  }
  return results;
}

/**
 * A success of a task with outlets carries their asset events (written with the success), and a
 * branch's success the downstream tasks it chose.
 */
function withAssetEvents(t: TryFinish): TryEnd {
  const task = t.dag?.taskById.get(t.taskId);
  const outlets = task?.outlets ?? [];
  if (t.outcome.kind !== 'success' || (outlets.length === 0 && !task?.branch)) return t;
  return {
    ...t,
    ...(outlets.length > 0 ? { assets: outletEvents(outlets, t.outcome.output) } : {}),
    ...(task?.branch ? { followed: chosenDownstream(task.id, t.outcome.output, task.downstream) } : {}),
  };
}

/** One try's end: `finishTries` for a single try. */
export async function finishTry(knex: Knex, dag: Dag, end: TryEnd): Promise<FinishResult> {
  return (await finishTries(knex, [{ ...end, dag }]))[0]!;
}

function setRunState(tries: TryFinish[], results: FinishResult[], runId: number, state: RunState): void {
  tries.forEach((t, i) => {
    if (t.runId === runId && results[i]!.recorded) results[i]!.runState = state;
  });
}

/** Hands each queued try to the first recorded try of its run (the caller enqueues them all). */
function attachQueued(tries: TryFinish[], results: FinishResult[], queued: QueuedTry[]): void {
  if (queued.length === 0) return;
  const first = new Map<number, number>();
  tries.forEach((t, j) => {
    if (results[j]!.recorded && !first.has(t.runId)) first.set(t.runId, j);
  });
  for (const q of queued) results[first.get(q.runId) ?? 0]!.queued.push(q);
}

async function retryOnConflict<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= 5 || !isTransactionConflict(err)) throw err;
    }
  }
}
