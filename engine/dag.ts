import type { z } from 'zod';
import { InvalidInputError } from '../platform/index.js';
import { validateSchedule } from './schedule.js';
import { isTimeZone, stripUndefined, toDate, topologicalOrder } from './dagGraph.js';
import { assetProblem, toOutlet, type Asset, type Outlet, type OutletSpec } from './assets.js';
import { followBranch, sensorProblem, type SensorSettings } from './taskKinds.js';
import * as priority from './priority.js';

/** When a task may start, judged from the final states of its direct upstream tasks. */
export const TRIGGER_RULES = ['all_success', 'all_done', 'one_failed', 'none_failed'] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

export type { Json, MapContext, RunType, TaskContext, TaskLogger, TaskServices } from './taskContext.js';
import type { Json, MapContext, TaskContext } from './taskContext.js';

/** Options every task may set; a DAG's `defaultTaskOptions` supplies the ones a task leaves out. */
export interface TaskOptions extends priority.PoolTaskOptions {
  /**
   * Retries after the first failed try. A try whose error `isRetriable` rejects (a
   * `PermanentTaskError`, an `InvalidInputError`, an error with `retriable: false`) fails the task
   * at once, whatever retries are left. @defaultValue 0
   */
  retries?: number;
  /** Delay before the first retry; doubles on every further retry. @defaultValue 1000 */
  retryDelayMs?: number;
  /** Upper bound of the exponential retry delay. @defaultValue 300000 */
  maxRetryDelayMs?: number;
  /** A try running longer fires `ctx.signal` and fails. @defaultValue 3600000 */
  timeoutMs?: number;
  /** Pool: its BullMQ queue, and its slots when it has some. @defaultValue 'default' */
  pool?: string;
  /** @defaultValue 'all_success' */
  triggerRule?: TriggerRule;
  /**
   * Start only once the same task of the previous run (by logical date, manual runs left out)
   * succeeded or was skipped; the first run has none (Airflow's `depends_on_past`). @defaultValue false
   */
  dependsOnPast?: boolean;
}

/** Upstream declared by name (outputs typed `unknown`) or by task object (outputs typed). */
export type UpstreamSpec = readonly string[] | Readonly<Record<string, AnyTaskDef>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTaskDef = TaskDef<any, any>;

/** A task before it is placed in a DAG: its handler, upstream and options. */
export interface TaskDef<Out, Up> {
  readonly kind: 'wareflow.task';
  readonly run: (ctx: TaskContext<Up, never>) => Promise<Out> | Out;
  readonly upstream: UpstreamSpec;
  readonly options: TaskOptions & { description?: string; mapOver?: string };
  /** Assets the task writes (an event per outlet when it succeeds) and reads (lineage only). */
  readonly outlets?: readonly OutletSpec[];
  readonly inlets?: readonly Asset[];
  /** The params schema the handler reads `ctx.params` by; its DAG must declare the same one. */
  readonly params?: z.ZodType;
  /** Set by `sensor()`: its pokes. */
  readonly sensor?: SensorSettings;
  /** Set by `branch()`: the output names the direct downstream tasks that run. */
  readonly branch?: boolean;
  /** Type-only marker of the output, so a downstream task can read it typed. */
  readonly __output?: Out;
}

/** The output type of a task definition. */
export type OutputOf<T> = T extends { readonly __output?: infer Out } ? Awaited<Out> : never;

export type UpstreamOutputs<U> = U extends readonly (infer N extends string)[]
  ? { readonly [K in N]: unknown }
  : U extends Readonly<Record<string, AnyTaskDef>>
    ? { readonly [K in keyof U]: OutputOf<U[K]> }
    : Record<string, unknown>;

type ElementOf<L> = L extends readonly (infer E)[] ? E : unknown;

/** The context a handler gets: a mapped one (`M` names the list's upstream) also its element. */
type HandlerContext<Up, Params, M> = [M] extends [never]
  ? TaskContext<Up, Params>
  : TaskContext<Up, Params> & MapContext<M extends keyof Up ? ElementOf<Up[M]> : unknown>;

/** What downstream tasks read of a task: a mapped task's outputs in index order, null where one failed. */
type TaskOutput<Out, M> = [M] extends [never] ? Out : Array<Out | null>;

/**
 * Defines a task. Declare upstream tasks by object to get their outputs typed:
 * ```ts
 * const extract = task(async () => ({ rows: 3 }));
 * const load = task(async (ctx) => ctx.upstream.extract.rows, { upstream: { extract } });
 * ```
 * or by name (`{ upstream: ['extract'] }`), in which case the outputs are `unknown`. Pass the
 * DAG's params schema as `params` to get `ctx.params` typed (parsed, with its defaults applied):
 * ```ts
 * const params = z.object({ days: z.number().int().default(7) });
 * const report = task(async (ctx) => ctx.params.days, { params });
 * defineDag({ id: 'report', params, tasks: { report }, ... });
 * ```
 * `mapOver` names an upstream task whose output is a list: the task then runs once per element,
 * side by side, each instance (`taskId[i]`) with its own tries, retries and log, `ctx.mapItem` the
 * element and `ctx.mapIndex` its position. Downstream tasks read the list of their outputs:
 * ```ts
 * const warehouses = task(async () => ['WH-1', 'WH-2']);
 * const load = task(async (ctx) => loadWarehouse(ctx.mapItem), { upstream: { warehouses }, mapOver: 'warehouses' });
 * const total = task(async (ctx) => ctx.upstream.load.length, { upstream: { load } });
 * ```
 */
export function task<
  Out extends Json | void,
  const U extends UpstreamSpec = readonly [],
  P extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>,
  M extends keyof UpstreamOutputs<U> & string = never,
>(
  run: (ctx: HandlerContext<UpstreamOutputs<U>, z.output<P>, M>) => Promise<Out> | Out,
  options: TaskOptions & {
    upstream?: U;
    params?: P;
    /**
     * Run once per element of this upstream task's output, which must be a list (JSON array): an
     * empty list skips the task, anything else fails it. Its downstream tasks wait for every
     * instance and read their outputs as a list, in index order (null where one did not succeed).
     * A mapped task writes no outlets (declare them on a task downstream of it).
     */
    mapOver?: M;
    description?: string;
    /** Assets written: `asset(...)`, or `{ asset, rowsFrom: 'rows' }` to record a row count. */
    outlets?: readonly OutletSpec[];
    /** Assets read (shown as lineage). */
    inlets?: readonly Asset[];
  } = {},
): TaskDef<TaskOutput<Out, M>, UpstreamOutputs<U>> {
  const { upstream, params, outlets, inlets, ...rest } = options;
  return {
    kind: 'wareflow.task',
    run: run as unknown as TaskDef<TaskOutput<Out, M>, UpstreamOutputs<U>>['run'],
    upstream: upstream ?? [],
    options: rest,
    ...(params ? { params } : {}),
    ...(outlets ? { outlets } : {}),
    ...(inlets ? { inlets } : {}),
  };
}

/** What a DAG author writes. */
export interface DagDefinition<P extends z.ZodType = z.ZodType> {
  /** Letters, digits, `_`, `-` and `.`. */
  id: string;
  /** Five-field cron expression, or null for a DAG that runs only when triggered (or on assets). */
  schedule: string | null;
  /**
   * Also run when every one of these assets has an event this DAG has not consumed yet: one
   * `asset_triggered` run per batch of events (several partitions landing at once → one run).
   */
  onAssets?: readonly Asset[];
  /**
   * Gate the cron runs: the run of an interval is created once that interval has ended and every
   * partition of these assets it covers exists (a weekly run waits for its seven days).
   */
  waitForAssets?: readonly Asset[];
  /** IANA time zone the cron expression is read in. @defaultValue 'UTC' */
  timezone?: string;
  /** No interval starting before this instant is scheduled. */
  startDate: Date | string;
  /** No interval starting at or after this instant is scheduled. */
  endDate?: Date | string;
  /**
   * Create runs for every interval missed since the last one (true), or only for the latest
   * finished interval (false) — so unpausing a DAG that is behind creates one run, not hundreds.
   * @defaultValue false
   */
  catchup?: boolean;
  /** Scheduled and manual runs of this DAG that may be running at once. @defaultValue 16 */
  maxActiveRuns?: number;
  /** Task instances of this DAG queued or running at once, over all its runs. @defaultValue no cap */
  maxActiveTasks?: number;
  /** A run not finished this many ms after its interval ends is an SLA miss (e-mailed once). */
  slaMs?: number;
  /**
   * A run still running this many ms after it started (or after a clear reopened it) is
   * cancelled by the scheduler with the reason "run timed out after …" and e-mailed (Airflow's
   * `dagrun_timeout`). Beside each task's own `timeoutMs`. @defaultValue no limit
   */
  dagRunTimeoutMs?: number;
  /** Schema of the params; a trigger's conf is validated against it. */
  params?: P;
  defaultTaskOptions?: TaskOptions;
  description?: string;
  tags?: string[];
  tasks: Record<string, AnyTaskDef>;
}

/** A task as the engine sees it once its DAG is validated: every option resolved. */
export interface ResolvedTask extends Required<priority.PoolTaskOptions> {
  id: string;
  upstream: string[];
  downstream: string[];
  retries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  timeoutMs: number;
  pool: string;
  triggerRule: TriggerRule;
  dependsOnPast: boolean;
  sensor?: SensorSettings;
  branch: boolean;
  description?: string;
  outlets: readonly Outlet[];
  inlets: readonly Asset[];
  /** A mapped task: the upstream task whose list it runs over, once per element. */
  mapOver?: string;
  run: (ctx: TaskContext<never, never>) => Promise<unknown> | unknown;
}

/** A validated DAG. */
export interface Dag {
  readonly id: string;
  readonly schedule: string | null;
  readonly onAssets: readonly Asset[];
  readonly waitForAssets: readonly Asset[];
  readonly timezone: string;
  readonly startDate: Date;
  readonly endDate?: Date;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  readonly maxActiveTasks?: number;
  readonly slaMs?: number;
  readonly dagRunTimeoutMs?: number;
  readonly paramsSchema?: z.ZodType;
  readonly description?: string;
  readonly tags: readonly string[];
  /** Tasks in a topological order (every task after its upstream tasks). */
  readonly tasks: readonly ResolvedTask[];
  readonly taskById: ReadonlyMap<string, ResolvedTask>;
  /** Tasks without upstream: the ones a new run starts with. */
  readonly roots: readonly string[];
}

/** A DAG definition is wrong. The message names the DAG and, where it applies, the task. */
export class DagDefinitionError extends InvalidInputError {}

const ID = /^[A-Za-z0-9_.-]+$/;
const DEFAULTS = {
  retries: 0,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 300_000,
  timeoutMs: 3_600_000,
  pool: 'default',
  ...priority.POOL_DEFAULTS,
  triggerRule: 'all_success' as TriggerRule,
  dependsOnPast: false,
};

/**
 * Validates a DAG at load time: ids, schedule and time zone, options, unknown or self upstreams,
 * cycles. Throws a `DagDefinitionError` naming the DAG and task.
 */
export function defineDag<P extends z.ZodType>(def: DagDefinition<P>): Dag {
  const dagId = def.id;
  const fail = (message: string, taskId?: string): never => {
    throw new DagDefinitionError(
      taskId === undefined ? `DAG '${dagId}': ${message}` : `DAG '${dagId}', task '${taskId}': ${message}`,
    );
  };
  if (typeof dagId !== 'string' || !ID.test(dagId)) {
    throw new DagDefinitionError(`DAG ${JSON.stringify(dagId)}: id must be letters, digits, '_', '-' or '.'`);
  }
  const timezone = def.timezone ?? 'UTC';
  if (def.schedule !== null) {
    const problem = validateSchedule(def.schedule, timezone);
    if (problem) fail(problem);
  } else if (!isTimeZone(timezone)) {
    fail(`unknown time zone '${timezone}'`);
  }
  const startDate = toDate(def.startDate) ?? fail(`startDate ${JSON.stringify(def.startDate)} is not a date`);
  const endDate =
    def.endDate === undefined ? undefined : (toDate(def.endDate) ?? fail('endDate is not a date'));
  if (endDate && endDate <= startDate) fail('endDate must be after startDate');
  const maxActiveRuns = def.maxActiveRuns ?? 16;
  if (!Number.isInteger(maxActiveRuns) || maxActiveRuns < 1) fail('maxActiveRuns must be a whole number ≥ 1');
  const capProblem = priority.maxActiveTasksProblem(def.maxActiveTasks);
  if (capProblem) fail(capProblem);
  if (def.slaMs !== undefined && !(def.slaMs > 0)) fail('slaMs must be a positive number of milliseconds');
  if (def.dagRunTimeoutMs !== undefined && !(def.dagRunTimeoutMs > 0))
    fail('dagRunTimeoutMs must be a positive number of milliseconds');
  if (!def.tasks || typeof def.tasks !== 'object' || Object.keys(def.tasks).length === 0)
    fail('has no tasks');

  const byObject = new Map<AnyTaskDef, string>();
  for (const [taskId, t] of Object.entries(def.tasks)) {
    if (!ID.test(taskId)) fail(`task id must be letters, digits, '_', '-' or '.'`, taskId);
    if (t?.kind !== 'wareflow.task') fail('is not a task(...) definition', taskId);
    if (byObject.has(t)) fail(`is the same task object as '${byObject.get(t)}' (ids must be unique)`, taskId);
    byObject.set(t, taskId);
  }

  const resolved = new Map<string, ResolvedTask>();
  for (const [taskId, t] of Object.entries(def.tasks)) {
    const upstream = Array.isArray(t.upstream)
      ? [...(t.upstream as readonly string[])]
      : Object.entries(t.upstream as Record<string, AnyTaskDef>).map(([name, ref]) => {
          const registered = byObject.get(ref);
          if (registered === undefined) fail(`upstream '${name}' is not a task of this DAG`, taskId);
          if (registered !== name)
            fail(`upstream '${name}' is registered in the DAG as '${registered}'`, taskId);
          return name;
        });
    if (new Set(upstream).size !== upstream.length) fail('lists an upstream task twice', taskId);
    for (const u of upstream) {
      if (u === taskId) fail('depends on itself', taskId);
      if (!(u in def.tasks)) fail(`unknown upstream task '${u}'`, taskId);
    }
    const o = { ...DEFAULTS, ...stripUndefined(def.defaultTaskOptions ?? {}), ...stripUndefined(t.options) };
    if (!Number.isInteger(o.retries) || o.retries < 0) fail('retries must be a whole number ≥ 0', taskId);
    if (!(o.retryDelayMs >= 0) || !(o.maxRetryDelayMs >= o.retryDelayMs))
      fail('retryDelayMs must be ≥ 0 and ≤ maxRetryDelayMs', taskId);
    if (!(o.timeoutMs > 0)) fail('timeoutMs must be positive', taskId);
    if (!ID.test(o.pool)) fail(`pool '${o.pool}' must be letters, digits, '_', '-' or '.'`, taskId);
    const poolProblem = priority.poolOptionProblem(o);
    if (poolProblem) fail(poolProblem, taskId);
    if (!TRIGGER_RULES.includes(o.triggerRule))
      fail(`unknown trigger rule '${o.triggerRule}' (expected ${TRIGGER_RULES.join(', ')})`, taskId);
    if (typeof o.dependsOnPast !== 'boolean') fail('dependsOnPast must be true or false', taskId);
    const sensorError = t.sensor && sensorProblem(t.sensor);
    if (sensorError) fail(sensorError, taskId);
    if (typeof t.run !== 'function') fail('has no handler function', taskId);
    if (t.params && t.params !== def.params)
      fail(`reads params by a schema that is not the DAG's params schema`, taskId);
    const mapOver = t.options.mapOver;
    if (mapOver !== undefined) {
      if (!upstream.includes(mapOver))
        fail(`maps over '${mapOver}', which is not one of its upstream tasks`, taskId);
      if ((t.outlets ?? []).length > 0)
        fail('is mapped and cannot write outlets (declare them on a task downstream of it)', taskId);
      if (t.sensor || t.branch) fail('is mapped and cannot be a sensor or a branch', taskId);
    }
    resolved.set(taskId, {
      id: taskId,
      upstream,
      downstream: [],
      retries: o.retries,
      retryDelayMs: o.retryDelayMs,
      maxRetryDelayMs: o.maxRetryDelayMs,
      timeoutMs: o.timeoutMs,
      pool: o.pool,
      poolSlots: o.poolSlots,
      priorityWeight: o.priorityWeight,
      weightRule: o.weightRule,
      triggerRule: o.triggerRule,
      dependsOnPast: o.dependsOnPast,
      ...(t.sensor ? { sensor: t.sensor } : {}),
      branch: t.branch === true,
      ...(t.options.description ? { description: t.options.description } : {}),
      outlets: (t.outlets ?? []).map(toOutlet),
      inlets: [...(t.inlets ?? [])],
      ...(mapOver !== undefined ? { mapOver } : {}),
      run: t.run as ResolvedTask['run'],
    });
  }
  for (const t of resolved.values()) for (const u of t.upstream) resolved.get(u)!.downstream.push(t.id);
  for (const t of resolved.values()) {
    if (!t.branch) continue;
    if (t.downstream.length === 0) fail('is a branch without downstream tasks to choose from', t.id);
    t.run = followBranch(t.id, t.run, t.downstream);
  }
  for (const [id, w] of priority.effectiveWeights(resolved.values())) resolved.get(id)!.priorityWeight = w;
  const onAssets = [...(def.onAssets ?? [])];
  const waitForAssets = [...(def.waitForAssets ?? [])];
  const taskAssets = [...resolved.values()].map((t) => ({
    taskId: t.id,
    assets: [...t.outlets.map((o) => o.asset), ...t.inlets],
  }));
  const assetError = assetProblem(def.schedule, onAssets, waitForAssets, taskAssets);
  if (assetError) fail(assetError);

  const order = topologicalOrder(resolved, (cycle) => fail(`cycle ${cycle.join(' → ')}`, cycle[0]));
  return Object.freeze({
    id: dagId,
    schedule: def.schedule,
    onAssets,
    waitForAssets,
    timezone,
    startDate,
    ...(endDate ? { endDate } : {}),
    catchup: def.catchup ?? false,
    maxActiveRuns,
    ...(def.maxActiveTasks !== undefined ? { maxActiveTasks: def.maxActiveTasks } : {}),
    ...(def.slaMs !== undefined ? { slaMs: def.slaMs } : {}),
    ...(def.dagRunTimeoutMs !== undefined ? { dagRunTimeoutMs: def.dagRunTimeoutMs } : {}),
    ...(def.params ? { paramsSchema: def.params } : {}),
    ...(def.description ? { description: def.description } : {}),
    tags: [...(def.tags ?? [])],
    tasks: order,
    taskById: resolved,
    roots: order.filter((t) => t.upstream.length === 0).map((t) => t.id),
  });
}
