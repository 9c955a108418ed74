import type { z } from 'zod';
import { PermanentTaskError } from '../platform/index.js';
import { sensorPoke } from './store/index.js';
import type { Asset, OutletSpec } from './assets.js';
import {
  task,
  type Json,
  type TaskContext,
  type TaskDef,
  type TaskOptions,
  type UpstreamOutputs,
  type UpstreamSpec,
} from './dag.js';
import { RescheduleTaskError, SkipTaskError } from './taskOutcomes.js';
import type { SensorSettings } from './taskKinds.js';

/**
 * What a poke answers: `true`, or `{ done: true, output }` to hand an output downstream, when the
 * condition holds; `false`, or `{ done: false, reason }` to say in the log what is missing, when
 * it does not yet.
 */
export type PokeResult<Out> = boolean | { done: true; output: Out } | { done: false; reason: string };

/** A sensor gave up: its condition did not hold within its `timeoutMs`. Never retried. */
export class SensorTimeoutError extends PermanentTaskError {}

export interface SensorOptions<
  Out,
  U extends UpstreamSpec,
  P extends z.ZodType<Record<string, unknown>>,
> extends Omit<TaskOptions, 'timeoutMs'> {
  /** Checks the condition once. Keep it short: a poke is one try, run on a worker slot. */
  poke: (ctx: TaskContext<UpstreamOutputs<U>, z.output<P>>) => Promise<PokeResult<Out>> | PokeResult<Out>;
  /** Delay between pokes; no worker slot is held meanwhile. */
  intervalMs: number;
  /** Give up this long after the first poke (counted across retries, reset by a clear). */
  timeoutMs: number;
  /** Double the delay after every poke, up to `maxIntervalMs`. @defaultValue false */
  exponentialBackoff?: boolean;
  /** @defaultValue the larger of intervalMs and one hour */
  maxIntervalMs?: number;
  /**
   * What a timeout does: `fail` the task with "sensor timed out after …" (its failure e-mail goes
   * out), or `skip` it (Airflow's `soft_fail`: downstream tasks follow their trigger rules).
   * @defaultValue 'fail'
   */
  onTimeout?: 'fail' | 'skip';
  /** Time limit of one poke (the task's `timeoutMs`). @defaultValue the DAG's task timeout */
  pokeTimeoutMs?: number;
  upstream?: U;
  params?: P;
  description?: string;
  outlets?: readonly OutletSpec[];
  inlets?: readonly Asset[];
}

/**
 * A task that waits for a condition without holding a worker slot (Airflow's reschedule mode):
 * each poke is a short run of the same try; when the condition does not hold, the task instance
 * waits `up_for_reschedule` and its next poke is a delayed job. Errors in a poke are retried
 * like any task's (`retries`); pokes use up none. After `timeoutMs` from the first poke the
 * sensor fails (or skips, `onTimeout: 'skip'`).
 * ```ts
 * const ready = sensor({
 *   poke: async (ctx) => (await ctx.db('exports').where({ day: ctx.dataIntervalStart }).first()) !== undefined,
 *   intervalMs: 60_000,
 *   timeoutMs: 6 * 3_600_000,
 * });
 * ```
 * Run with nothing recorded (`wareflow tasks test`, `runDagInProcess`), it pokes in the process
 * until its condition holds or it times out.
 */
export function sensor<
  Out extends Json = null,
  const U extends UpstreamSpec = readonly [],
  P extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
>(options: SensorOptions<Out, U, P>): TaskDef<Out | null, UpstreamOutputs<U>> {
  const {
    poke,
    intervalMs,
    timeoutMs,
    exponentialBackoff,
    maxIntervalMs,
    onTimeout,
    pokeTimeoutMs,
    ...rest
  } = options;
  const settings: SensorSettings = {
    intervalMs,
    timeoutMs,
    exponentialBackoff: exponentialBackoff ?? false,
    maxIntervalMs: maxIntervalMs ?? Math.max(intervalMs, 3_600_000),
    onTimeout: onTimeout ?? 'fail',
  };
  const def = task<Json, U, P>((ctx) => runSensor(ctx, poke, settings), {
    ...rest,
    ...(pokeTimeoutMs === undefined ? {} : { timeoutMs: pokeTimeoutMs }),
  });
  return { ...def, sensor: settings } as TaskDef<Out | null, UpstreamOutputs<U>>;
}

/** The delay before the poke after poke `n` (1, 2, …). */
export function pokeDelayMs(s: SensorSettings, n: number): number {
  if (!s.exponentialBackoff) return s.intervalMs;
  return Math.min(s.maxIntervalMs, s.intervalMs * 2 ** Math.min(n - 1, 40));
}

type Poke<C> = (ctx: C) => Promise<PokeResult<Json>> | PokeResult<Json>;

async function runSensor<C extends TaskContext<unknown, unknown>>(
  ctx: C,
  poke: Poke<C>,
  s: SensorSettings,
): Promise<Json> {
  if (ctx.runId === 0) return pokeInProcess(ctx, poke, s);
  const counted = await sensorPoke(ctx.db, ctx.runId, ctx.taskId, ctx.tryNumber);
  const firstPokeAt = counted?.firstPokeAt ?? new Date();
  const pokes = counted?.pokes ?? 1;
  const answer = await poke(ctx);
  if (holds(answer)) return outputOf(answer);
  const now = Date.now();
  const deadline = firstPokeAt.getTime() + s.timeoutMs;
  if (now >= deadline) giveUp(s, pokes, firstPokeAt);
  // Never later than the deadline: a timeout ends on time, after a last poke.
  const notBefore = new Date(Math.min(now + pokeDelayMs(s, pokes), deadline));
  throw new RescheduleTaskError(`${reasonOf(answer)} (poke ${pokes})`, notBefore);
}

/** Nothing is recorded: poke here until the condition holds or the sensor times out. */
async function pokeInProcess<C extends TaskContext<unknown, unknown>>(
  ctx: C,
  poke: Poke<C>,
  s: SensorSettings,
): Promise<Json> {
  const firstPokeAt = new Date();
  for (let pokes = 1; ; pokes += 1) {
    const answer = await poke(ctx);
    if (holds(answer)) return outputOf(answer);
    const left = firstPokeAt.getTime() + s.timeoutMs - Date.now();
    if (left <= 0) giveUp(s, pokes, firstPokeAt);
    ctx.log.info(`${reasonOf(answer)} (poke ${pokes})`);
    await sleep(Math.min(pokeDelayMs(s, pokes), left), ctx.signal);
  }
}

function holds(answer: PokeResult<Json>): boolean {
  return answer === true || (typeof answer === 'object' && answer !== null && answer.done === true);
}

function outputOf(answer: PokeResult<Json>): Json {
  return typeof answer === 'object' && answer !== null && answer.done === true ? answer.output : null;
}

function reasonOf(answer: PokeResult<Json>): string {
  return typeof answer === 'object' && answer !== null && answer.done === false
    ? answer.reason
    : 'condition not met';
}

function giveUp(s: SensorSettings, pokes: number, firstPokeAt: Date): never {
  const message =
    `sensor timed out after ${s.timeoutMs} ms: condition not met in ${pokes} ` +
    `poke${pokes === 1 ? '' : 's'} since ${firstPokeAt.toISOString()}`;
  if (s.onTimeout === 'skip') throw new SkipTaskError(message);
  throw new SensorTimeoutError(message);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
