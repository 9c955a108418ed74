import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from '../platform/index.js';
import { coerceError, createBatcher, InvalidInputError } from '../platform/index.js';
import {
  failureOutcome,
  jobIdFor,
  queueNameFor,
  runTry,
  sendAlert,
  taskOfInstance,
  TryCancelledError,
  taskFailedMail,
  type Engine,
  type TaskJobData,
  type TaskServices,
  type TryFinish,
  type TryOutcome,
  type QueuedTry,
  type TryToClaim,
  type TaskLogLine,
  type TryLogOptions,
  type WorkerStore,
} from '../engine/index.js';

export interface TaskWorkerOptions {
  /**
   * The state-store operations the worker runs: build them with `createWorkerStore(knex)` from
   * engine/index.ts. The worker imports no SQL of its own.
   */
  store: WorkerStore;
  /** A connection for BullMQ's blocking reads; the worker duplicates it as it needs. */
  connection: Redis;
  /** Tries this process runs at once (WORKER_CONCURRENCY). @defaultValue 8 */
  concurrency?: number;
  /** Pools to take work from. @defaultValue every pool used by the engine's DAGs */
  pools?: string[];
  services?: TaskServices;
  /** How often running tries are marked alive in PostgreSQL. @defaultValue 5000 */
  heartbeatMs?: number;
  /**
   * A running try whose heartbeat is older than this is taken over by the next worker that
   * receives its job (BullMQ re-delivers it once the dead worker's lock expires). @defaultValue 30000
   */
  staleMs?: number;
  /** BullMQ job lock; a dead worker's job is re-delivered after it. @defaultValue 30000 */
  lockDurationMs?: number;
  /** How often BullMQ looks for jobs of dead workers. @defaultValue 15000 */
  stalledIntervalMs?: number;
  /** On close, how long running tries may take to finish before they are handed back. @defaultValue 25000 */
  shutdownGraceMs?: number;
  /** How a running try's log lines are batched as they are stored (see `TryLog`). */
  taskLogs?: TryLogOptions;
}

export interface TaskWorker {
  readonly id: string;
  /** Tries running right now. */
  running(): number;
  /** The tries running right now, as `run_id/task_id/try_number`. */
  runningTries(): string[];
  /** Whether every pool's BullMQ worker is taking jobs (false once closing, or if one stopped). */
  isRunning(): boolean;
  /** Stops taking work, lets running tries finish (or hands them back after the grace), closes. */
  close(): Promise<void>;
}

/**
 * A worker process's BullMQ workers, one per pool. A job names one try of one task instance;
 * the try is claimed in PostgreSQL first, so a duplicate or outdated job runs nothing.
 */
export function createTaskWorker(engine: Engine, options: TaskWorkerOptions): TaskWorker {
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = engine.logger.child({ component: 'worker', worker_id: id });
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const staleMs = options.staleMs ?? 30_000;
  const shutdown = new AbortController();
  // Every running try listens for shutdown (as many as the concurrency), and lets go when it ends.
  setMaxListeners(0, shutdown.signal);
  const active = new Set<string>();
  /** The tries whose function is running here, by `run_id/task_id/try_number`, with what aborts each. */
  const stops = new Map<string, AbortController>();
  const alerts = new Set<Promise<void>>();
  const pools = options.pools ?? [
    ...new Set([...engine.dags.values()].flatMap((d) => d.tasks.map((t) => t.pool))),
  ];

  const { store } = options;
  const appendLogs = createBatcher(async (batches: TaskLogLine[][]) => {
    await store.appendTaskLogs(batches.flat());
    return batches.map(() => undefined);
  });
  /**
   * Under load the tries of this process share their round trips: claims that arrive while one
   * is in flight go out together in the next statement, and so do finishes and enqueues. The
   * tries a finish queues are enqueued as soon as the statement that queued them returns (not
   * after the runs of its batch that must be decided again); `enqueued` settles once they all are.
   * Production and backfill tries share these statements: separate ones for backfill tries
   * spared production the wait for a backfill's statement, but cost more statements per task,
   * and on a busy machine production tasks then waited longer, not less.
   */
  const claim = createBatcher((tries: TryToClaim[]) => store.claimTries(id, staleMs, tries));
  const enqueue = createBatcher(async (lists: QueuedTry[][]) => {
    await engine.queues.enqueue(lists.flat());
    return lists.map(() => undefined);
  });
  const finish = createBatcher(async (tries: TryFinish[]) => {
    const sent: Array<Promise<void>> = [];
    const handed = new Set<string>();
    const results = await store.finishTries(tries, (queued) => {
      for (const q of queued) handed.add(jobIdFor(q));
      sent.push(enqueue(queued));
    });
    // A store that hands nothing over as it goes leaves its tries to be enqueued here.
    const rest = results.flatMap((r) => r.queued).filter((q) => !handed.has(jobIdFor(q)));
    if (rest.length > 0) sent.push(enqueue(rest));
    const enqueued = Promise.all(sent).then(() => undefined);
    enqueued.catch(() => undefined); // awaited by each try's job
    return results.map((r) => ({ ...r, enqueued }));
  });

  const processJob = async (job: Job<TaskJobData>, token?: string): Promise<string> => {
    const { runId, dagId, taskId, tryNumber, tryKey } = job.data;
    const dag = engine.dags.get(dagId);
    const task = dag && taskOfInstance(dag, taskId); // a mapped instance runs its task
    const claimed = await claim({
      runId,
      taskId,
      tryNumber,
      ...(tryKey ? { tryKey } : {}),
      upstream: task?.upstream ?? [],
    });
    if (!claimed) {
      // The try runs elsewhere with a fresh heartbeat. This job may be BullMQ re-delivering the
      // job of a worker that just died (its heartbeat is not stale yet): look again once it would
      // be, instead of dropping the only job of that try.
      if (token && (await store.tryIsRunning(runId, taskId, tryNumber))) {
        await job.moveToDelayed(Date.now() + staleMs, token);
        throw new DelayedError();
      }
      return 'stale';
    }
    const key = `${runId}/${taskId}/${tryNumber}`;
    const stop = new AbortController();
    active.add(key);
    stops.set(key, stop);
    try {
      if (claimed.upstream_ended_at) {
        engine.metrics.handoff.observe(
          { pool: job.queueName.replace(/^tasks-/, '') },
          Math.max(0, claimed.started_at.getTime() - claimed.upstream_ended_at.getTime()) / 1000,
        );
      }
      if (!dag || !task) {
        const error = `${dag ? `task '${taskId}'` : `DAG '${dagId}'`} is not known to worker ${id}`;
        await store.finishTries([
          { runId, taskId, tryNumber, workerId: id, outcome: { kind: 'failed', error } },
        ]);
        throw new InvalidInputError(error);
      }
      const result = await runTry(
        {
          dag,
          task,
          instanceId: taskId,
          runId,
          tryNumber,
          runType: claimed.run_type,
          logicalDate: claimed.logical_date,
          dataIntervalStart: claimed.data_interval_start,
          dataIntervalEnd: claimed.data_interval_end,
          conf: claimed.conf,
          upstream: claimed.upstream,
        },
        {
          db: engine.knex,
          services: options.services ?? {},
          logger: engine.logger,
          shutdown: shutdown.signal,
          stop: stop.signal,
          logSink: appendLogs,
          ...(options.taskLogs ? { logOptions: options.taskLogs } : {}),
        },
      );
      stops.delete(key); // ended: whatever the heartbeat says now, there is nothing to abort
      const outcome: TryOutcome = result.ok
        ? { kind: 'success', output: result.output }
        : result.handedBack
          ? { kind: 'handed_back', reason: result.error.message }
          : failureOutcome(task, tryNumber, claimed.max_tries, result.error, new Date());
      const finished = await finish({
        dag,
        runId,
        taskId,
        tryNumber,
        workerId: id,
        outcome,
        logs: result.logs,
      });
      await finished.enqueued;
      engine.metrics.taskDuration.observe(
        { dag_id: dagId, task_id: task.id, outcome: outcome.kind },
        result.durationMs / 1000,
      );
      engine.metrics.tries.inc({ dag_id: dagId, outcome: finished.recorded ? outcome.kind : 'discarded' });
      if (!finished.recorded) {
        log.warn(
          { dag_id: dagId, run_id: runId, task_id: taskId, try_number: tryNumber },
          'try result discarded: the try was taken over, cleared or marked meanwhile',
        );
        return 'discarded';
      }
      if (outcome.kind === 'failed') {
        const sent = sendAlert(
          engine.mailer,
          log,
          taskFailedMail({
            dagId,
            runId,
            taskId,
            tryNumber,
            logicalDate: claimed.logical_date,
            error: outcome.error,
          }),
        ).finally(() => alerts.delete(sent));
        alerts.add(sent);
      }
      // Shows the failed try in Bull Board (not a sensor's reschedule, nor a task that skipped itself).
      if (!result.ok && (outcome.kind === 'failed' || outcome.kind === 'retry')) throw result.error;
      return outcome.kind;
    } finally {
      active.delete(key);
      stops.delete(key);
    }
  };

  const workers = pools.map((pool) => {
    const w = new Worker<TaskJobData, string>(queueNameFor(pool), processJob, {
      connection: options.connection,
      prefix: engine.queues.prefix,
      concurrency: options.concurrency ?? 8,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 15_000,
      maxStalledCount: 2,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
    w.on('error', (err) => log.error({ err: coerceError(err), pool }, 'worker error'));
    return w;
  });

  // The heartbeat answers with the tries PostgreSQL still gives this worker. One it runs that is
  // missing was cancelled, marked or cleared (or taken over) since: its signal fires, and its
  // result will be discarded. Only tries running before the heartbeat was sent are judged: their
  // claims committed before it, so the answer would include them.
  const beat = setInterval(() => {
    if (active.size === 0) return;
    const sent = [...stops.keys()];
    store
      .heartbeat(id)
      .then((held) => {
        const mine = new Set(held.map((t) => `${t.run_id}/${t.task_id}/${t.try_number}`));
        for (const key of sent) {
          const stop = stops.get(key);
          if (!stop || mine.has(key) || stop.signal.aborted) continue;
          log.warn({ try: key }, 'aborting a try the engine no longer holds (cancelled, marked or cleared)');
          stop.abort(
            new TryCancelledError('the engine no longer holds this try (cancelled, marked or cleared)'),
          );
        }
      })
      .catch((err) => log.warn({ err }, 'heartbeat failed'));
  }, heartbeatMs);
  beat.unref();
  log.info({ pools, concurrency: options.concurrency ?? 8 }, 'worker started');

  let closing: Promise<void> | undefined;
  return {
    id,
    running: () => active.size,
    runningTries: () => [...active],
    isRunning: () => !closing && workers.every((w) => w.isRunning()),
    close() {
      closing ??= (async () => {
        log.info({ running: active.size }, 'worker stopping: no new work, waiting for running tries');
        const grace = setTimeout(() => shutdown.abort(), options.shutdownGraceMs ?? 25_000);
        await Promise.all(workers.map((w) => w.close()));
        clearTimeout(grace);
        clearInterval(beat);
        await Promise.all(alerts);
        log.info('worker stopped');
      })();
      return closing;
    },
  };
}
