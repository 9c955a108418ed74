import type { Registry } from 'prom-client';
import type {
  AuditEntry,
  AuditLogFilter,
  AuditRow,
  AuditTarget,
  AssetDetail,
  AssetSummaryRow,
  DagRunRow,
  PoolRow,
  RunNote,
  RunDayCount,
  RunState,
  TaskInstanceDetail,
  TaskInstanceInRun,
  TaskInstanceRow,
  TaskState,
  Wait,
} from '../engine/index.js';

/**
 * What the dashboard needs from the orchestrator engine. The composition root builds it from
 * the engine's operation functions (see `engineOperations` in ./engineAdapter.ts); the dashboard
 * never runs engine SQL itself, so a state change made here is exactly the one the CLI makes.
 * Rows use the engine's snake_case column names, which are also what the JSON API returns.
 */
export interface DashboardEngine {
  /** Paused flag and latest run per DAG the engine knows. */
  dagStates(): Promise<DagStateRow[]>;
  listRuns(filter: RunFilter): Promise<RunRow[]>;
  getRun(runId: number): Promise<RunWithTasks | undefined>;
  /** The task instances of a DAG's latest `limit` runs, oldest run first (one query). */
  recentTaskInstances(dagId: string, limit: number): Promise<TaskInstanceInRun[]>;
  /** Run counts per day of logical date and state for one year, days in the DAG's time zone. */
  runStatesByDay(dagId: string, year: number): Promise<RunDayCount[]>;
  /**
   * A task's stored log lines in id order: of one try when `tryNumber` is given, and only those
   * with an id above `afterId` when given (what a page that already shows lines polls for).
   */
  taskLogs(runId: number, taskId: string, tryNumber?: number, afterId?: number): Promise<TaskLogLine[]>;
  /** Validates `conf` against the DAG's params (InvalidInputError on a bad one). */
  triggerRun(dagId: string, conf: Record<string, unknown>): Promise<RunRow>;
  clearTasks(
    runId: number,
    options: { taskIds?: string[]; downstream: boolean; onlyFailed: boolean },
  ): Promise<{ cleared: string[] }>;
  markTask(runId: number, taskId: string, state: 'success' | 'failed'): Promise<void>;
  /**
   * Cancels a running run (every task instance not ended), or one task instance with `taskId`.
   * A ConflictError (409) when it has already ended. `by` is the user who asked.
   */
  cancel(
    runId: number,
    options: { taskId?: string; by: string; reason?: string },
  ): Promise<{ run_state: RunState; cancelled: Array<{ task_id: string; previous_state: TaskState }> }>;
  /** Cancels a running backfill and its queued runs (its started runs too with `includeRunning`). */
  cancelBackfill(
    id: number,
    options: { by: string; reason?: string; includeRunning: boolean },
  ): Promise<{ cancelled_runs: number[]; left_running: number[] }>;
  setPaused(dagId: string, paused: boolean): Promise<void>;
  startBackfill(request: BackfillRequest): Promise<BackfillRow>;
  listBackfills(filter: { dagId?: string }): Promise<BackfillWithProgress[]>;
  getBackfill(id: number): Promise<BackfillWithProgress | undefined>;
  /**
   * Runs a change and records it in the audit log (`ok` with what `describe` adds, or `failed`
   * when it throws): the engine's `audited`.
   */
  audited<T>(entry: AuditEntry, change: () => Promise<T>, describe?: (result: T) => AuditTarget): Promise<T>;
  /** Appends one audit entry (an attempt refused before it started). */
  recordAudit(entry: AuditEntry): Promise<void>;
  /** One page of the audit log, newest first. */
  auditLog(filter: AuditLogFilter, page: { limit: number; offset: number }): Promise<AuditPage>;
  /** The notes of these runs, by run id. */
  runNotes(runIds: readonly number[]): Promise<Map<number, RunNote>>;
  /** Sets (or, blank, removes) a run's note; audited in the same transaction. */
  setRunNote(runId: number, note: string, by: Pick<AuditEntry, 'actor' | 'source'>): Promise<RunNote | null>;
  /** Every asset the DAGs declare, with its producers, consumers and latest event. */
  listAssets(): Promise<AssetSummaryRow[]>;
  /** One asset with its newest partitions, their events and readers; undefined if unknown. */
  getAsset(assetKey: string): Promise<AssetDetail | undefined>;
  /** Every pool with its slots and what its task instances hold and wait for. */
  listPools(): Promise<PoolRow[]>;
  /**
   * Sets a pool's slots (null: unlimited) and, when given, its description; grants freed slots
   * at once. An unknown pool or a bad count is an InvalidInputError (400).
   */
  setPoolSlots(
    name: string,
    slots: number | null,
    options: { description?: string; by: string },
  ): Promise<{ pool: PoolRow; previous: number | null; granted: number }>;
  /** The BullMQ queue names the engine uses (one per pool), for Bull Board. */
  queueNames(): string[];
  /** The engine's prom-client registry, served on /metrics with the dashboard's own. */
  readonly registry?: Registry;
}

export type {
  AssetDetail,
  AssetSummaryRow,
  RunState,
  TaskState,
  TaskInstanceRow,
  TaskInstanceDetail,
  TaskInstanceInRun,
  RunDayCount,
};
export type { AuditEntry, AuditLogFilter, AuditRow, AuditTarget, RunNote, PoolRow, Wait };

export interface AuditPage {
  items: AuditRow[];
  total: number;
  limit: number;
  offset: number;
}
/** A run as the engine stores it. */
export type RunRow = DagRunRow;

export interface DagStateRow {
  dag_id: string;
  is_paused: boolean;
}

export interface RunFilter {
  dagId?: string;
  state?: RunState;
  runType?: 'scheduled' | 'manual' | 'backfill' | 'asset_triggered';
  limit: number;
  offset: number;
}

export interface RunWithTasks {
  run: RunRow;
  /** Each with why it waits while it does (`waiting`: pool full, DAG cap, upstream, …). */
  tasks: TaskInstanceDetail[];
}

export interface TaskLogLine {
  id: number;
  try_number: number;
  logged_at: Date;
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface BackfillRequest {
  dagId: string;
  from: Date;
  to: Date;
  concurrency: number;
  reset: boolean;
  /** The priority of its runs. @defaultValue -1 */
  priority?: number;
  conf: Record<string, unknown>;
}

export interface BackfillRow {
  id: number;
  dag_id: string;
  from_date: Date;
  to_date: Date;
  concurrency: number;
  state: 'running' | 'success' | 'failed' | 'cancelled';
  total: number;
  created_at: Date;
  ended_at: Date | null;
}

export interface BackfillWithProgress extends BackfillRow {
  /** Runs of the backfill by state. */
  progress: { success: number; failed: number; running: number; cancelled: number };
}
