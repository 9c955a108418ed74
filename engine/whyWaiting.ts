import type { TaskState } from './store/index.js';
import type { TriggerRule } from './dag.js';
import { FINAL_STATES } from './triggerRules.js';

/**
 * Why a task instance that has not ended is not running (Airflow's "task instance details"):
 *   upstream        its trigger rule is not met yet (the upstream tasks it waits for are named)
 *   pool_full       its pool has no free slot (or fewer than it needs)
 *   pool_too_small  it needs more slots than its pool has at all (a pool of 0 slots is full): it
 *                   waits until the pool grows
 *   dag_cap         its DAG has as many active task instances as its cap allows
 *   priority        a slot is free but higher-priority instances of its pool are granted first
 *   retry_backoff   its last try failed; the next one waits for its retry time
 *   worker          it holds its slot and waits for a worker of its pool to take it
 *   reschedule      a sensor between two pokes
 */
export const WAIT_REASONS = [
  'upstream',
  'pool_full',
  'pool_too_small',
  'dag_cap',
  'priority',
  'retry_backoff',
  'worker',
  'reschedule',
] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export interface Wait {
  /** The first reason that holds it back. */
  reason: WaitReason;
  /** Every reason that holds it back, in one line for people. */
  message: string;
}

export interface WaitFacts {
  state: TaskState;
  runState: string;
  triggerRule: TriggerRule;
  /** Its direct upstream tasks with their states. */
  upstream: ReadonlyArray<{ taskId: string; state: TaskState }>;
  pool: { name: string; slots: number | null; used: number };
  /** Slots of its pool one try holds. */
  poolSlots: number;
  dag: { cap: number | null; active: number };
  nextTryAt: Date | null;
  /** Scheduled instances of its pool granted before it. */
  ahead: number;
  now: Date;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Why it waits, or null when it does not (running, ended, or its run has ended). */
export function whyWaiting(f: WaitFacts): Wait | null {
  if (f.runState !== 'running' || f.state === 'running' || FINAL_STATES.has(f.state)) return null;
  switch (f.state) {
    case 'none': {
      const pending = f.upstream.filter((u) => !FINAL_STATES.has(u.state));
      const names = pending.map((u) => `${u.taskId} (${u.state})`).join(', ');
      return {
        reason: 'upstream',
        message:
          pending.length > 0
            ? `upstream: waiting for ${names} (trigger rule ${f.triggerRule})`
            : `upstream: done; the trigger rule ${f.triggerRule} is applied at the next step of the run`,
      };
    }
    case 'scheduled':
      return slotWait(f);
    case 'queued':
      return { reason: 'worker', message: `queued on worker pool ${f.pool.name}: waiting for a free worker` };
    case 'up_for_retry':
      return f.nextTryAt && f.nextTryAt > f.now
        ? { reason: 'retry_backoff', message: `retry backoff until ${f.nextTryAt.toISOString()}` }
        : {
            reason: 'worker',
            message: `retry queued on worker pool ${f.pool.name}: waiting for a free worker`,
          };
    case 'up_for_reschedule':
      return {
        reason: 'reschedule',
        message: f.nextTryAt
          ? `sensor: next poke at ${f.nextTryAt.toISOString()}`
          : 'sensor: waiting for its next poke',
      };
    default:
      return null;
  }
}

function slotWait(f: WaitFacts): Wait {
  const found: Array<[WaitReason, string]> = [];
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
  return { reason: found[0]![0], message: found.map(([, m]) => m).join('; ') };
}
