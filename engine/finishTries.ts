import type { Knex } from '../platform/index.js';
import { isTransactionConflict } from '../platform/index.js';
import {
  readRuns,
  recordTries,
  type QueuedTry,
  type RunTransitions,
  type RunView,
  type RunState,
  type TaskState,
  type TryEnd,
} from './store/index.js';
import type { Dag } from './dag.js';
import { evaluateRun, type RunEvaluation } from './triggerRules.js';
import { outletEvents } from './assets.js';
import { pastStatesOf, runsReleasedBy, type EndedTask } from './pastStates.js';
import { chosenDownstream } from './taskKinds.js';
import { applyDecisions } from './expansion.js';
import { foldMapped, foldedTaskOf, taskOfInstance } from './mapping.js';
import { grantSlots } from './pools.js';
import { queuedTries } from './transitions.js';

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
 * another try of the run may have finished unseen at the same time (`mustRecheck`): whichever
 * of two such tries records last reads the other's end. A `dependsOnPast` task that succeeded or
 * was skipped has the next run, where the same task waits for it, decided in the same way, from a
 * fresh read (`runsReleasedBy`). When a try freed a slot a waiting task may take, or tasks now
 * wait for one, slots are granted last and the tries granted come back with the others.
 * `onQueued`, when given, is handed each statement's tries as soon as it returns them, so the
 * caller can enqueue them while the runs of the batch that must be decided again are (they come
 * back in the results all the same).
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
  // The ends are recorded and the runs decided in two statements, each its own commit: a
  // transaction around them cost two more round trips per batch (BEGIN, COMMIT) and more CPU per
  // task than the commit it saved. Each statement is retried on its own, so a retry never records
  // an end twice.
  const record = await retryOnConflict(() => recordTries(knex, ends));
  const results = resultsOf(tries, record);
  handOver(results.flatMap((r) => r.queued));
  const first = decisionsOf(tries, record);
  const round =
    first.length > 0
      ? await retryOnConflict(() => decideRound(knex, first, dagOf, tries, results, endedOf(tries, record)))
      : undefined;
  let grant = record.freedSlots.some(Boolean);
  for (let n = 1, last = round; last && n <= MAX_DECISION_ROUNDS; n += 1) {
    handOver(last.queued);
    attachQueued(tries, results, last.queued);
    if (last.scheduled) grant = true;
    for (const next of last.released) dags.set(next.runId, next.dag);
    if (last.again.length === 0 || n === MAX_DECISION_ROUNDS) break;
    const fresh = await readRuns(knex, last.again);
    const decide = last.again.map((runId) => ({ runId, view: fresh.get(runId) }));
    last = await retryOnConflict(() => decideRound(knex, decide, dagOf, tries, results, []));
  }
  if (grant) {
    const granted = await grantSlots(knex);
    handOver(granted);
    attachQueued(tries, results, granted);
  }
  return results;
}

type Recorded = Awaited<ReturnType<typeof recordTries>>;
type Decide = Array<{ runId: number; view: RunView | undefined; tasks?: ReadonlySet<string> }>;
interface Round {
  queued: QueuedTry[];
  scheduled: boolean;
  again: number[];
  released: Array<{ runId: number; dag: Dag }>;
}

/** Per try, whether it was recorded, with the next try of a retry, hand-back or reschedule. */
function resultsOf(tries: TryFinish[], record: Recorded): FinishResult[] {
  return tries.map((t, i) => {
    const result: FinishResult = {
      recorded: record.recorded[i]!,
      queued: [],
      runState: record.recorded[i] ? 'running' : undefined,
    };
    const { kind } = t.outcome;
    if (!record.recorded[i] || !t.dag) return result;
    if (kind === 'retry' || kind === 'handed_back' || kind === 'reschedule')
      // A reschedule pokes again in the same try, under the new key recordTries drew for it.
      result.queued.push({
        runId: t.runId,
        dagId: t.dag.id,
        taskId: t.taskId,
        pool: taskOfInstance(t.dag, t.taskId)?.pool ?? 'default',
        tryNumber: kind === 'reschedule' ? t.tryNumber : t.tryNumber + 1,
        tryKey: record.nextTryKeys[i]!,
        runPriority: record.runPriorities[i]!,
        ...(t.outcome.kind === 'handed_back' ? {} : { notBefore: t.outcome.notBefore }),
      });
    return result;
  });
}

/** The runs whose tasks ended for good in this batch, each with those tasks and its view. */
function decisionsOf(tries: TryFinish[], record: Recorded): Decide {
  const finished = new Map<number, Set<string>>();
  tries.forEach((t, i) => {
    const { kind } = t.outcome;
    if (!record.recorded[i] || !t.dag || kind === 'retry' || kind === 'handed_back' || kind === 'reschedule')
      return;
    finished.set(t.runId, (finished.get(t.runId) ?? new Set<string>()).add(t.taskId));
  });
  return [...finished].map(([runId, tasks]) => ({ runId, view: record.runs.get(runId), tasks }));
}

/** The task instances a try of this batch ended for good with a success or a skip. */
function endedOf(tries: TryFinish[], record: Recorded): EndedTask[] {
  return tries.flatMap((t, i) => {
    const { kind } = t.outcome;
    if (!record.recorded[i] || !t.dag || (kind !== 'success' && kind !== 'skipped')) return [];
    return [{ dag: t.dag, runId: t.runId, taskId: t.taskId }];
  });
}

/**
 * One round of decisions: evaluates each run from its view and applies what changed in one
 * statement. Returns the tries queued, whether tasks now wait for a slot, and the runs to decide
 * again from a fresh read: those whose read may be stale, and the next runs of the `dependsOnPast`
 * tasks that ended (`ended`, with those skipped by their trigger rule in this round), which come
 * with their DAG in `released` too.
 */
async function decideRound(
  db: Knex | Knex.Transaction,
  decide: Decide,
  dagOf: (runId: number) => Dag,
  tries: TryFinish[],
  results: FinishResult[],
  ended: EndedTask[],
): Promise<Round> {
  const transitions: RunTransitions[] = [];
  const again = new Set<number>();
  const past = await pastStatesOf(
    db,
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
  const { queued, scheduled, stale } = await applyDecisions(db, transitions, dagOf);
  for (const runId of stale) again.add(runId);
  // The next run's instance of a dependsOnPast task that ended is decided now, as a downstream
  // task is, rather than at the scheduler's next pass (which stays as the safety net).
  const released = await runsReleasedBy(db, ended);
  for (const next of released) again.add(next.runId);
  return { queued: queuedTries(queued, dagOf), scheduled: scheduled.length > 0, again: [...again], released };
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
