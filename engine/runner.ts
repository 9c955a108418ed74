import type { Knex, Logger } from '../platform/index.js';
import { coerceError, InvalidInputError, WareflowError } from '../platform/index.js';
import { triggeringAssetEvents, type TaskLogLine, type TaskLogSource } from './store/index.js';
import { validateParams } from './params.js';
import { TryLog, type TaskLogSink, type TryLogOptions } from './tryLog.js';
import { TryOutcomeSignal } from './taskOutcomes.js';
import type { Dag, ResolvedTask, RunType, TaskContext, TaskLogger, TaskServices } from './dag.js';
import { mapItemOf, parseInstanceId } from './mapping.js';

/** A try ran longer than its task's `timeoutMs`. Retriable, like any failure. */
export class TaskTimeoutError extends WareflowError {
  constructor(taskId: string, timeoutMs: number) {
    super(`task '${taskId}' timed out after ${timeoutMs} ms`, { retriable: true });
  }
}

/** The worker is shutting down: the try is handed back, not failed. */
export class WorkerShutdownError extends WareflowError {
  constructor() {
    super('worker shutting down', { retriable: true });
  }
}

/**
 * The engine no longer holds the try (cancelled, marked or cleared while it ran): the worker
 * aborts it. Whatever the handler does afterwards, its result is discarded.
 */
export class TryCancelledError extends WareflowError {
  constructor(readonly reason: string) {
    super(`try stopped: ${reason}`, { retriable: false });
  }
}

/** Task outputs are stored as jsonb and handed downstream: keep them small. */
export const MAX_OUTPUT_BYTES = 1_000_000;

export interface TryInput {
  dag: Dag;
  task: ResolvedTask;
  /**
   * The task instance's id when it is not the task's: a mapped task's instance `task[i]`, which
   * runs `task` for item i of its upstream's list (`ctx.mapItem`, `ctx.mapIndex`).
   */
  instanceId?: string;
  runId: number;
  tryNumber: number;
  runType: RunType;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  upstream: Record<string, unknown>;
}

/** `logs`: the try's lines not stored yet (all of them without a `logSink`). */
export type TryResult =
  | { ok: true; output: unknown; logs: TaskLogLine[]; durationMs: number }
  | { ok: false; error: Error; handedBack: boolean; logs: TaskLogLine[]; durationMs: number };

export interface TryEnv {
  db: Knex;
  services: TaskServices;
  logger: Logger;
  shutdown?: AbortSignal;
  /**
   * Fired by the worker when the try is no longer its own; its reason should be a
   * `TryCancelledError`. The handler's `ctx.signal` fires at once with that reason.
   */
  stop?: AbortSignal;
  /** Stores the try's lines while it runs; without it, every line comes back in the result. */
  logSink?: TaskLogSink;
  logOptions?: TryLogOptions;
}

/**
 * Runs one try of a task in this process: builds its context, fires `ctx.signal` on timeout or
 * shutdown and stops waiting for the handler then (a handler that ignores the signal keeps
 * running in the background, but its result is ignored), and captures its log lines, storing
 * them as they come through `logSink` (see `TryLog`). A handler that throws or times out adds an
 * engine line with the error (and its stack) to the try's log.
 */
export async function runTry(input: TryInput, env: TryEnv): Promise<TryResult> {
  const { dag, task } = input;
  const instanceId = input.instanceId ?? task.id;
  const { mapIndex } = parseInstanceId(instanceId);
  const started = performance.now();
  const tryLog = new TryLog(env.logSink, env.logger, env.logOptions);
  const base = { dag_id: dag.id, run_id: input.runId, task_id: instanceId, try_number: input.tryNumber };
  // Made on the first line: most tries write none, and a child logger costs its bindings' JSON.
  let pinoLog: Logger | undefined;
  const write = (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    fields: Record<string, unknown>,
    source: TaskLogSource,
  ) => {
    tryLog.push({
      runId: input.runId,
      taskId: instanceId,
      tryNumber: input.tryNumber,
      loggedAt: new Date(),
      level,
      message: String(message),
      fields,
      source,
    });
    (pinoLog ??= env.logger.child(base))[level](fields, message);
  };
  const line =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}) =>
      write(level, message, fields, 'task');
  const log: TaskLogger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };

  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TaskTimeoutError(task.id, task.timeoutMs)),
    task.timeoutMs,
  );
  const onShutdown = () => controller.abort(new WorkerShutdownError());
  if (env.shutdown?.aborted) onShutdown();
  env.shutdown?.addEventListener('abort', onShutdown, { once: true });
  const onStop = () =>
    controller.abort(
      env.stop?.reason instanceof TryCancelledError ? env.stop.reason : new TryCancelledError('stopped'),
    );
  if (env.stop?.aborted) onStop();
  env.stop?.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);

  try {
    // Parsed by the DAG's schema: the type a handler that declared it reads them by.
    const params = validateParams(dag, input.conf) as never;
    const ctx: TaskContext<never, never> = {
      dagId: dag.id,
      runId: input.runId,
      taskId: task.id,
      tryNumber: input.tryNumber,
      logicalDate: input.logicalDate,
      dataIntervalStart: input.dataIntervalStart,
      dataIntervalEnd: input.dataIntervalEnd,
      runType: input.runType,
      params,
      upstream: input.upstream as never,
      log,
      db: env.db,
      signal: controller.signal,
      services: env.services,
      triggeringAssetEvents: async () =>
        input.runType === 'asset_triggered' && input.runId > 0
          ? triggeringAssetEvents(env.db, input.runId)
          : [],
      ...(mapIndex !== undefined ? { mapIndex, mapItem: mapItemOf(task, input.upstream, mapIndex) } : {}),
    };
    const output = await Promise.race([Promise.resolve().then(() => task.run(ctx)), aborted]);
    const json = JSON.stringify(output ?? null);
    if (json === undefined) throw new InvalidInputError('task output is not JSON-serialisable');
    if (json.length > MAX_OUTPUT_BYTES)
      throw new InvalidInputError(
        `task output is ${json.length} bytes; outputs are limited to ${MAX_OUTPUT_BYTES}`,
      );
    const durationMs = performance.now() - started;
    return { ok: true, output: JSON.parse(json), logs: await tryLog.drain(), durationMs };
  } catch (thrown) {
    const error = coerceError(thrown);
    const handedBack = error instanceof WorkerShutdownError;
    // A hand-back, a reschedule or a skip is the engine's own event, written when it is recorded.
    if (error instanceof TryCancelledError) {
      write('warn', `aborted: ${error.reason}`, { event: 'aborted', reason: error.reason }, 'engine');
    } else if (!handedBack && !(error instanceof TryOutcomeSignal)) {
      const timedOut = error instanceof TaskTimeoutError;
      write(
        'error',
        timedOut ? `timed out after ${task.timeoutMs} ms` : `raised ${error.name}: ${error.message}`,
        {
          event: timedOut ? 'timed_out' : 'raised',
          error: error.name,
          ...(error.stack ? { stack: error.stack.split('\n').slice(0, 8).join('\n') } : {}),
        },
        'engine',
      );
    }
    const durationMs = performance.now() - started;
    return { ok: false, error, handedBack, logs: await tryLog.drain(), durationMs };
  } finally {
    clearTimeout(timer);
    env.shutdown?.removeEventListener('abort', onShutdown);
    env.stop?.removeEventListener('abort', onStop);
  }
}
