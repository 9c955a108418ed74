import type { Knex } from '../platform/index.js';
import {
  getRunRow,
  slotWaits,
  taskInstances,
  type DagRunRow,
  type SlotWaitRow,
  type TaskInstanceRow,
  type TaskState,
} from './store/index.js';
import type { Dag, TriggerRule } from './dag.js';
import type { Engine } from './engine.js';
import { evaluateRun, FINAL_STATES } from './triggerRules.js';
import { foldMapped, taskOfInstance } from './mapping.js';
import { dependsOnPastTasks, pastStatesOf } from './pastStates.js';

/**
 * Why a task instance that has not ended is not running (Airflow's "task instance details"), the
 * one answer the run page, the task page, the CLI and the API give:
 *   upstream           its trigger rule is not met yet (the upstream tasks it waits for are named)
 *   depends_on_past    its trigger rule is met, but the same task of the previous run has not
 *                      succeeded or been skipped (`dependsOnPast`)
 *   pool_full          its pool has no free slot (or fewer than it needs)
 *   pool_too_small     it needs more slots than its pool has at all (a pool of 0 slots is full):
 *                      it waits until the pool grows
 *   dag_cap            its DAG has as many active task instances as its cap allows
 *   priority           a slot is free but higher-priority instances of its pool are granted first
 *   retry_backoff      its last try failed; the next one waits for its retry time
 *   worker             it holds its slot and waits for a worker of its pool to take it
 *   sensor_reschedule  a sensor whose condition did not hold yet, between two pokes
 */
export const WAIT_KINDS = [
  'upstream',
  'depends_on_past',
  'pool_full',
  'pool_too_small',
  'dag_cap',
  'priority',
  'retry_backoff',
  'worker',
  'sensor_reschedule',
] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** A slot wait: the numbers behind every slot reason, whichever holds it back first. */
export interface SlotNumbers {
  pool: string;
  /** The pool's slots (null: unlimited). */
  slots: number | null;
  /** Slots held in the pool now. */
  used: number;
  /** Slots one try of the task holds. */
  needs: number;
  /** The DAG's cap on active task instances (null: none), and its active ones now. */
  dag_cap: number | null;
  dag_active: number;
  /** Instances of the pool granted before it. */
  ahead: number;
}

/**
 * Why it waits: its first reason (`kind`), every reason in one sentence for people (`message`),
 * and the numbers the sentence is made of.
 */
export type Wait = { message: string } & (
  | { kind: 'upstream'; trigger_rule: TriggerRule; pending: Array<{ task_id: string; state: TaskState }> }
  | { kind: 'depends_on_past'; past_run_id: number; past_task_id: string; past_state: TaskState }
  | ({ kind: 'pool_full' | 'pool_too_small' | 'dag_cap' | 'priority' } & SlotNumbers)
  /** `try_number`: the try that waits (the next one). */
  | { kind: 'retry_backoff'; next_try_at: Date; try_number: number; max_tries: number }
  | { kind: 'worker'; pool: string }
  | { kind: 'sensor_reschedule'; pokes: number; next_poke_at: Date | null }
);

/**
 * A wait as the API and the CLI's JSON print it: `reason` repeats `kind` under the name the field
 * had first, for clients written before it had a kind.
 */
export type WaitJson = Wait & { reason: WaitKind };

export function waitJson(w: Wait | null): WaitJson | null {
  return w && { ...w, reason: w.kind };
}

/** Everything a wait depends on, for one task instance (read by `waitsOfRun`). */
export interface WaitFacts {
  state: TaskState;
  runState: string;
  triggerRule: TriggerRule;
  /** Its direct upstream tasks with their states. */
  upstream: ReadonlyArray<{ taskId: string; state: TaskState }>;
  /**
   * A `dependsOnPast` task whose trigger rule is met: the previous run's task it waits for (what
   * `evaluateRun` reports as `waitingOnPast`); null otherwise.
   */
  past: { runId: number; taskId: string; state: TaskState } | null;
  pool: { name: string; slots: number | null; used: number };
  /** Slots of its pool one try holds. */
  poolSlots: number;
  dag: { cap: number | null; active: number };
  /** The next try's time (up for retry) or the next poke's (up for reschedule). */
  nextTryAt: Date | null;
  /** Its current try (up for retry: the one that waits). */
  tryNumber: number;
  maxTries: number;
  /** A sensor's pokes since it was last cleared. */
  pokes: number;
  /** Scheduled instances of its pool granted before it. */
  ahead: number;
  now: Date;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Why it waits, or null when it does not (running, ended, or its run has ended). */
export function whyWaiting(f: WaitFacts): Wait | null {
  if (f.runState !== 'running' || f.state === 'running' || FINAL_STATES.has(f.state)) return null;
  const pool = f.pool.name;
  switch (f.state) {
    case 'none':
      return notStarted(f);
    case 'scheduled':
      return slotWait(f);
    case 'queued':
      return { kind: 'worker', pool, message: `queued on worker pool ${pool}: waiting for a free worker` };
    case 'up_for_retry':
      return f.nextTryAt && f.nextTryAt > f.now
        ? {
            kind: 'retry_backoff',
            next_try_at: f.nextTryAt,
            try_number: f.tryNumber,
            max_tries: f.maxTries,
            message: `retry backoff until ${f.nextTryAt.toISOString()} (try ${f.tryNumber} of ${f.maxTries})`,
          }
        : { kind: 'worker', pool, message: `retry queued on worker pool ${pool}: waiting for a free worker` };
    case 'up_for_reschedule':
      return {
        kind: 'sensor_reschedule',
        pokes: f.pokes,
        next_poke_at: f.nextTryAt,
        message:
          `sensor: condition not met after ${plural(f.pokes, 'poke')}` +
          (f.nextTryAt ? `; next poke at ${f.nextTryAt.toISOString()}` : ''),
      };
    default:
      return null;
  }
}

function notStarted(f: WaitFacts): Wait {
  if (f.past) {
    const { runId, taskId, state } = f.past;
    return {
      kind: 'depends_on_past',
      past_run_id: runId,
      past_task_id: taskId,
      past_state: state,
      message: `depends on past: run ${runId}'s task ${taskId} is ${state === 'none' ? 'not started' : state}`,
    };
  }
  const pending = f.upstream.filter((u) => !FINAL_STATES.has(u.state));
  const names = pending.map((u) => `${u.taskId} (${u.state})`).join(', ');
  return {
    kind: 'upstream',
    trigger_rule: f.triggerRule,
    pending: pending.map((u) => ({ task_id: u.taskId, state: u.state })),
    message:
      pending.length > 0
        ? `upstream: waiting for ${names} (trigger rule ${f.triggerRule})`
        : `upstream: done; the trigger rule ${f.triggerRule} is applied at the next step of the run`,
  };
}

function slotWait(f: WaitFacts): Wait {
  const found: Array<['pool_full' | 'pool_too_small' | 'dag_cap' | 'priority', string]> = [];
  const { name, slots, used } = f.pool;
  if (slots !== null && slots > 0 && f.poolSlots > slots) {
    found.push([
      'pool_too_small',
      `pool too small (pool ${name} has ${plural(slots, 'slot')}, the task needs ${f.poolSlots})`,
    ]);
  } else if (slots !== null && used + f.poolSlots > slots) {
    const need = f.poolSlots > 1 ? `, the task needs ${f.poolSlots}` : '';
    found.push(['pool_full', `pool full (pool ${name}: ${used}/${slots} slots${need})`]);
  }
  if (f.dag.cap !== null && f.dag.active >= f.dag.cap)
    found.push(['dag_cap', `DAG cap (${f.dag.active}/${f.dag.cap} active)`]);
  if (found.length === 0)
    found.push([
      'priority',
      f.ahead > 0
        ? `behind ${plural(f.ahead, 'higher-priority task')} waiting in pool ${name}`
        : `a slot is free in pool ${name}: granted at the next grant`,
    ]);
  return {
    kind: found[0]![0],
    message: found.map(([, m]) => m).join('; '),
    pool: name,
    slots,
    used,
    needs: f.poolSlots,
    dag_cap: f.dag.cap,
    dag_active: f.dag.active,
    ahead: f.ahead,
  };
}

/** A task instance as pages, the CLI and the API show it: its row and, while it waits, why. */
export type TaskInstanceDetail = TaskInstanceRow & {
  /** Why it is not running yet; null when it runs, has ended, or its run has ended. */
  waiting: Wait | null;
  /** `waiting.message`, or null: the field's first form, kept for the API's clients. */
  waiting_reason: string | null;
};

/**
 * A run's task instances (or the one named by `only`) with why each waits, read from the same
 * facts the scheduler decides from: the trigger rules with the previous run's states
 * (`evaluateRun`, one query, only when the DAG has `dependsOnPast` tasks and one has not started)
 * and the slot facts of the instances waiting in `scheduled` (one query, only when one does).
 */
export async function withWaits(
  knex: Knex | Knex.Transaction,
  dag: Dag | undefined,
  run: Pick<DagRunRow, 'id' | 'state' | 'max_active_tasks'>,
  tasks: TaskInstanceRow[],
  now: Date,
  only?: string,
): Promise<TaskInstanceDetail[]> {
  const targets = only === undefined ? tasks : tasks.filter((t) => t.task_id === only);
  if (run.state !== 'running') return targets.map((t) => ({ ...t, waiting: null, waiting_reason: null }));
  const states = new Map(tasks.map((t) => [t.task_id, t.state]));
  const past = targets.some((t) => t.state === 'none') ? await waitingOnPast(knex, dag, run.id, tasks) : NONE;
  const slots = new Map<string, SlotWaitRow>();
  if (targets.some((t) => t.state === 'scheduled'))
    for (const r of await slotWaits(knex, run.id, only)) slots.set(r.task_id, r);
  return targets.map((t) => {
    const task = dag && taskOfInstance(dag, t.task_id);
    const slot = slots.get(t.task_id);
    const waiting = whyWaiting({
      state: t.state,
      runState: run.state,
      triggerRule: task?.triggerRule ?? 'all_success',
      upstream: (task?.upstream ?? []).map((u) => ({ taskId: u, state: states.get(u) ?? 'none' })),
      past: past.get(t.task_id) ?? null,
      pool: { name: t.pool, slots: slot?.pool_total ?? null, used: slot?.pool_used ?? 0 },
      poolSlots: t.pool_slots,
      dag: { cap: run.max_active_tasks, active: slot?.dag_active ?? 0 },
      nextTryAt: t.next_try_at,
      tryNumber: t.try_number,
      maxTries: t.max_tries,
      pokes: t.pokes,
      ahead: slot?.ahead ?? 0,
      now,
    });
    return { ...t, waiting, waiting_reason: waiting?.message ?? null };
  });
}

type PastWait = NonNullable<WaitFacts['past']>;
const NONE: ReadonlyMap<string, PastWait> = new Map();

/** The `dependsOnPast` tasks of a run whose trigger rule is met but whose previous run holds them. */
async function waitingOnPast(
  knex: Knex | Knex.Transaction,
  dag: Dag | undefined,
  runId: number,
  tasks: TaskInstanceRow[],
): Promise<ReadonlyMap<string, PastWait>> {
  if (!dag || dependsOnPastTasks(dag).length === 0) return NONE;
  const [past] = await pastStatesOf(knex, [{ dag, runId }]);
  const views = new Map(tasks.map((t) => [t.task_id, { state: t.state, followed: t.followed }]));
  const waiting = evaluateRun(dag, foldMapped(dag, views), past).waitingOnPast;
  return new Map(waiting.map((w) => [w.taskId, { runId: w.runId, taskId: w.taskId, state: w.state }]));
}

/** Why one task instance is not running yet, or null (running, ended, unknown). */
export async function explainWait(engine: Engine, runId: number, taskId: string): Promise<Wait | null> {
  const run = await getRunRow(engine.knex, runId);
  if (!run) return null;
  const tasks = await taskInstances(engine.knex, runId);
  const [ti] = await withWaits(engine.knex, engine.dags.get(run.dag_id), run, tasks, engine.now(), taskId);
  return ti?.waiting ?? null;
}
