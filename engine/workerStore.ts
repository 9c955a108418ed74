import type { Knex } from '../platform/index.js';
import {
  appendTaskLogs,
  claimTries,
  heartbeat,
  tryIsRunning,
  type ClaimedTry,
  type QueuedTry,
  type TaskLogLine,
  type TryToClaim,
} from './store/index.js';
import { finishTries, type FinishResult, type TryFinish } from './finishTries.js';

/**
 * The state-store operations a worker is handed (graphile-worker's `makeNewWorker(…, { getJob,
 * completeJob, failJob })`): the worker imports no SQL, and a composition root builds these with
 * `createWorkerStore` (or hands in others, e.g. batched or instrumented).
 */
export interface WorkerStore {
  /**
   * Takes tries for `workerId`, in one statement: a try queued or up for retry, or running with a
   * heartbeat older than `staleMs`. Returns one entry per requested try, in order: undefined
   * where the try was not taken (it runs elsewhere, or the job is outdated).
   */
  claimTries(workerId: string, staleMs: number, tries: TryToClaim[]): Promise<Array<ClaimedTry | undefined>>;
  /** Whether this try of the task instance is running on some worker right now. */
  tryIsRunning(runId: number, taskId: string, tryNumber: number): Promise<boolean>;
  /**
   * Marks every try `workerId` is running as alive; returns them. A try the worker runs that is
   * missing is no longer its own (cancelled, marked, cleared, taken over): the worker aborts it.
   */
  heartbeat(workerId: string): Promise<Array<{ run_id: number; task_id: string; try_number: number }>>;
  /**
   * Records how tries ended and hands off to their downstream tasks (see `finishTries`); the tries
   * queued go to `onQueued` as soon as each statement returns them, and come back in the results.
   */
  finishTries(tries: TryFinish[], onQueued?: (queued: QueuedTry[]) => void): Promise<FinishResult[]>;
  /** Stores log lines of running tries as they are written; returns how many. */
  appendTaskLogs(lines: TaskLogLine[]): Promise<number>;
}

/** The worker's operations on the engine's PostgreSQL state store. */
export function createWorkerStore(knex: Knex): WorkerStore {
  return {
    claimTries: (workerId, staleMs, tries) => claimTries(knex, workerId, staleMs, tries),
    tryIsRunning: (runId, taskId, tryNumber) => tryIsRunning(knex, runId, taskId, tryNumber),
    heartbeat: (workerId) => heartbeat(knex, workerId),
    finishTries: (tries, onQueued) => finishTries(knex, tries, onQueued),
    appendTaskLogs: (lines) => appendTaskLogs(knex, lines),
  };
}
