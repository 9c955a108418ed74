/** States of a task instance (Airflow's names). */
export const TASK_STATES = [
  'none',
  /** The trigger rule is met; waiting for a slot in its pool or under its DAG's cap. */
  'scheduled',
  'queued',
  'running',
  /** A sensor whose condition did not hold yet, waiting for its next poke with no worker slot. */
  'up_for_reschedule',
  'success',
  'failed',
  'up_for_retry',
  'upstream_failed',
  'skipped',
  /** Stopped by an operator, the run timeout or a cancelled backfill; final, told apart from `failed`. */
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** States of a DAG run. */
export const RUN_STATES = ['running', 'success', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];
export type RunTypeName = 'scheduled' | 'manual' | 'backfill' | 'asset_triggered';

/** A try that must be (re-)enqueued on BullMQ: one job per try, named by its `tryKey`. */
export interface QueuedTry {
  runId: number;
  dagId: string;
  taskId: string;
  pool: string;
  tryNumber: number;
  /**
   * The key PostgreSQL drew when this try was created (`task_instances.try_key`): unique across
   * databases, resets and restores, the same for every enqueue of the same try. A sensor's
   * reschedule draws a new one, so each of its pokes is a job of its own.
   */
  tryKey: string;
  /** Do not start before this instant (retry backoff). */
  notBefore?: Date;
  /**
   * Its run's priority (`dag_runs.priority`, 0 unless a backfill's): a run below 0 is enqueued
   * behind every job of a run at 0 or above (see `bullPriority`).
   */
  runPriority?: number;
}

export interface DagRunRow {
  id: number;
  dag_id: string;
  run_type: RunTypeName;
  logical_date: Date;
  data_interval_start: Date;
  data_interval_end: Date;
  state: RunState;
  conf: Record<string, unknown>;
  backfill_id: number | null;
  created_at: Date;
  started_at: Date;
  ended_at: Date | null;
  sla_missed_at: Date | null;
  /** Who cancelled the run (a user name, `scheduler` for the run timeout, `backfill N`). */
  cancelled_by: string | null;
  cancel_reason: string | null;
  /** When a clear or mark last reopened the run after it had ended (the run timeout counts from it). */
  reopened_at: Date | null;
  /** Granted before any task weight: 0 for production runs, -1 for backfill runs by default. */
  priority: number;
  /** The DAG's cap on active task instances when the run was created (null: none). */
  max_active_tasks: number | null;
}

export interface TaskInstanceRow {
  run_id: number;
  task_id: string;
  dag_id: string;
  state: TaskState;
  pool: string;
  try_number: number;
  /** The key of the current try (see `QueuedTry.tryKey`). */
  try_key: string;
  max_tries: number;
  output: unknown;
  error: string | null;
  worker_id: string | null;
  queued_at: Date | null;
  started_at: Date | null;
  heartbeat_at: Date | null;
  ended_at: Date | null;
  /** The next try's time when up for retry; the next poke's when up for reschedule. */
  next_try_at: Date | null;
  /** A sensor's first poke since it was last cleared (its timeout counts from it). */
  first_poke_at: Date | null;
  /** Pokes a sensor has made since it was last cleared. */
  pokes: number;
  /** The direct downstream tasks a branch task chose (the others were skipped). */
  followed: string[] | null;
  /** A mapped instance: its mapped task's id (its parent row) and its element's position. */
  map_parent: string | null;
  map_index: number | null;
  /** A mapped task's parent row: the instances of its current expansion (null until expanded). */
  map_count: number | null;
  /** Slots of its pool one try holds. */
  pool_slots: number;
  /** The task's weight after its weight rule: higher is granted a slot first. */
  priority_weight: number;
  /** When its trigger rule was last met (it then waited in `scheduled` or went straight to `queued`). */
  scheduled_at: Date | null;
}

/** Who wrote a log line: the task's own code (`ctx.log`), or the engine (an event on the try). */
export type TaskLogSource = 'task' | 'engine';

/**
 * The engine's events on a try, as `fields.event` of its `engine` lines. `raised` carries the
 * error a handler threw (with its stack); `retried`, `failed` and `handed_back` carry the reason
 * the engine recorded; `rescheduled` a sensor's poke that did not find its condition (with the
 * next poke's time), `skipped` a task that skipped itself (with the reason). `cleared` and
 * `marked` are written on the try that was current when an operator acted (0 if the task never
 * ran). `cancelled` is written on the try current when the task instance was cancelled (with
 * `reason` and `by`); `aborted` by the worker whose running try it stopped because the engine no
 * longer held that try (cancelled, marked, cleared). `expanded` is written on a mapped task's
 * parent row (try 0) when it becomes its instances (`count`). `scheduled` is written on the try a
 * task waits to start when it must wait for a slot.
 */
export const TRY_EVENTS = [
  'scheduled',
  'queued',
  'started',
  'raised',
  'retried',
  'timed_out',
  'failed',
  'succeeded',
  'handed_back',
  'rescheduled',
  'skipped',
  'marked',
  'cleared',
  'cancelled',
  'aborted',
  'expanded',
] as const;
export type TryEvent = (typeof TRY_EVENTS)[number];

/** One stored log line of a try; ids grow in the order lines were stored. */
export interface TaskLogRow {
  id: number;
  try_number: number;
  logged_at: Date;
  level: string;
  message: string;
  fields: Record<string, unknown>;
  source: TaskLogSource;
}

/** A backfill: the runs of one DAG over [from_date, to_date], created `concurrency` at a time. */
export interface BackfillRow {
  id: number;
  dag_id: string;
  from_date: Date;
  to_date: Date;
  concurrency: number;
  reset: boolean;
  conf: Record<string, unknown>;
  state: 'running' | 'success' | 'failed' | 'cancelled';
  total: number;
  created_at: Date;
  ended_at: Date | null;
  /** The priority of its runs (`dag_runs.priority`). @defaultValue -1 */
  priority: number;
  /** The first interval start not looked at yet (null before the first step). */
  next_start: Date | null;
  /** Intervals left alone because they had already succeeded. */
  skipped: number;
  /** Intervals another running run covers: looked at again on each step until it ends. */
  waiting: Date[];
}

/** An asset event as a run that consumed it (`ctx.triggeringAssetEvents()`) sees it. */
export interface TriggeringAssetEvent {
  id: number;
  assetKey: string;
  partitionKey: string;
  createdAt: Date;
  sourceRunId: number | null;
  sourceDagId: string | null;
  sourceTaskId: string | null;
  rows: number | null;
}

/** Who declares an asset, and how (a task's outlet or inlet, a DAG's trigger or gate). */
export interface AssetDeclarationRow {
  dag_id: string;
  task_id: string;
  role: 'outlet' | 'inlet' | 'on_assets' | 'wait_for';
}

/** One asset in the list: its declarations, its newest partition and its latest event. */
export interface AssetSummaryRow {
  asset_key: string;
  partitioning: 'daily' | 'weekly' | null;
  description: string | null;
  declarations: AssetDeclarationRow[];
  event_count: number;
  partition_count: number;
  /** The newest partition written (null for an asset without partitions or events). */
  newest_partition: string | null;
  /** The partition of the latest event (a backfill writes older ones after newer). */
  latest_partition: string | null;
  latest_event_at: Date | null;
  latest_run_id: number | null;
}

/** One event of an asset, with the run that wrote it. */
export interface AssetEventRow {
  id: number;
  partition_key: string;
  run_id: number | null;
  dag_id: string | null;
  task_id: string | null;
  try_number: number | null;
  rows: number | null;
  created_at: Date;
}

/** A run that read a partition: it consumed one of its events, or its DAG waits for it. */
export interface AssetReaderRow {
  partition_key: string;
  run_id: number;
  dag_id: string;
  run_type: RunTypeName;
  state: RunState;
  logical_date: Date;
  how: 'triggered' | 'waited';
}
