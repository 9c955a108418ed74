import type { Knex } from '../platform/index.js';
import type { TriggeringAssetEvent } from './store/types.js';

/**
 * What the composition root (the CLI) hands every task through `ctx.services`. The engine knows
 * nothing of it; a root adds members by declaration merging:
 * ```ts
 * declare module '../engine/index.js' {
 *   interface TaskServices { redis: Redis; mailer: Mailer }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TaskServices {}

/** Structured logger handed to a task; every line is also stored in task_logs for that try. */
export interface TaskLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Everything a task handler receives. `Up` maps upstream task ids to their outputs. */
export interface TaskContext<Up = Record<string, unknown>, Params = Record<string, unknown>> {
  dagId: string;
  /** The dag run's id (orchestrator.dag_runs.id); 0 under `tasks test`, which records nothing. */
  runId: number;
  taskId: string;
  /** 1 on the first try, 2 on the first retry, … */
  tryNumber: number;
  /** The start of the data interval (Airflow's logical date). */
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  runType: RunType;
  /** The run's params: the DAG's defaults overlaid with the trigger's conf, validated. */
  params: Params;
  /** Outputs of the direct upstream tasks (null for an upstream that did not succeed). */
  upstream: Up;
  log: TaskLogger;
  db: Knex;
  /** Fired when the task times out or its worker shuts down; stop promptly when it fires. */
  signal: AbortSignal;
  services: TaskServices;
  /** The asset events that queued an `asset_triggered` run (read when called; [] for other runs). */
  triggeringAssetEvents(): Promise<TriggeringAssetEvent[]>;
}

export type RunType = 'scheduled' | 'manual' | 'backfill' | 'asset_triggered';

/**
 * What a mapped task's handler gets besides the context of every task (see `mapOver`): the element
 * of its upstream's list it runs for, and where that element is in the list.
 */
export interface MapContext<Item> {
  /** The element's position in the list, from 0; the instance's task id is `taskId[mapIndex]`. */
  mapIndex: number;
  /** The element itself. */
  mapItem: Item;
}

/** A JSON-serialisable value: task outputs are stored in PostgreSQL as jsonb. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
