import { coerceError } from '../platform/index.js';
import {
  claimSlaMisses,
  findStrandedTries,
  findZombies,
  listBackfills,
  lockDag,
  pausedDags,
  scheduleCursor,
  syncAssets,
  syncDags,
  syncPools,
  taskMaxTries,
  type QueuedTry,
} from './store/index.js';
import type { Dag } from './dag.js';
import type { Engine } from './engine.js';
import { sendAlert, slaMissMail } from './alerts.js';
import { advanceBackfill } from './backfill.js';
import { cancelTimedOutRuns } from './cancel.js';
import { createSchedulerMetrics } from './metrics.js';
import { advanceIdleRuns } from './recovery.js';
import { advanceRunsWaitingOnPast } from './dependsOnPast.js';
import { assetDeclarations, createAssetTriggeredRuns, readyIntervals } from './assetScheduler.js';
import { firstFireAtOrAfter, latestEndedInterval, nextFireAfter, type DataInterval } from './schedule.js';
import { createRunInTx, failureOutcome } from './transitions.js';
import { finishTry } from './finishTries.js';
import { taskOfInstance } from './mapping.js';
import { dagPools, grantAndEnqueue } from './pools.js';

export interface SchedulerOptions {
  /** Pause between scheduling passes. @defaultValue 1000 */
  tickMs?: number;
  /** A try waiting this long in PostgreSQL without running is enqueued again. @defaultValue 15000 */
  strandedAfterMs?: number;
  /** A running try without heartbeat for this long counts as a failed try (its worker died). @defaultValue 60000 */
  zombieAfterMs?: number;
  /** Largest number of runs one DAG gets per pass (catch-up is spread over passes). @defaultValue 100 */
  maxRunsPerPass?: number;
  /**
   * `isAlive()` turns false when no pass has completed for this long (wall clock).
   * @defaultValue the larger of 60000 and 10 × tickMs
   */
  staleAfterMs?: number;
}

export interface Scheduler {
  /**
   * One scheduling pass: create due runs, advance backfills, sweep, grant pool slots, check SLAs
   * and run timeouts.
   */
  tick(): Promise<{
    created: number;
    reenqueued: number;
    zombies: number;
    timedOut: number;
    granted: number;
  }>;
  /** Runs `tick` every `tickMs` until closed. */
  start(): void;
  /** When the last pass completed (wall clock), if one has. */
  lastPassAt(): Date | undefined;
  /**
   * False once started and no pass has completed for `staleAfterMs` (PostgreSQL unreachable, a
   * pass that hangs, a loop that stopped): what the scheduler's /health reports as `loop`.
   */
  isAlive(): boolean;
  close(): Promise<void>;
}

/**
 * The scheduler keeps no state of its own: every pass reads where each DAG stands from
 * PostgreSQL, so it can be killed at any moment and restarted (or run twice) without gaps or
 * doubles. Run creation per DAG holds a transaction-level advisory lock, and the UNIQUE
 * (dag_id, logical_date) key rejects any run that would still be created twice.
 */
export function createScheduler(engine: Engine, options: SchedulerOptions = {}): Scheduler {
  const log = engine.logger.child({ component: 'scheduler' });
  const tickMs = options.tickMs ?? 1_000;
  const strandedAfterMs = options.strandedAfterMs ?? 15_000;
  const zombieAfterMs = options.zombieAfterMs ?? 60_000;
  const maxRunsPerPass = options.maxRunsPerPass ?? 100;
  const staleAfterMs = options.staleAfterMs ?? Math.max(60_000, 10 * tickMs);
  const metrics = createSchedulerMetrics(engine.metrics.registry);
  // Zero from the start, so that the first miss is an increase Prometheus can see.
  for (const dag of engine.dags.values())
    if (dag.slaMs !== undefined) metrics.slaMisses.inc({ dag_id: dag.id }, 0);
  let startedAt: number | undefined;
  let lastPass: number | undefined;
  let synced = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let closed = false;

  async function scheduleDag(dag: Dag, now: Date): Promise<number> {
    const created = await engine.knex.transaction(async (trx) => {
      await lockDag(trx, dag.id);
      const cursor = await scheduleCursor(trx, dag.id);
      if (cursor.paused) return [];
      let slots = dag.maxActiveRuns - cursor.active;
      const out: Array<{ runId: number; queued: QueuedTry[]; interval: DataInterval }> = [];
      const candidates = await readyIntervals(trx, dag, dueIntervals(dag, now, cursor.lastScheduled));
      for (const interval of candidates) {
        if (slots <= 0 || out.length >= maxRunsPerPass) break;
        const run = await createRunInTx(trx, dag, {
          runType: 'scheduled',
          logicalDate: interval.start,
          dataIntervalStart: interval.start,
          dataIntervalEnd: interval.end,
          conf: {},
        });
        // An interval already covered by a manual or backfill run is not a slot taken.
        if (run) {
          out.push({ ...run, interval });
          slots -= 1;
        }
      }
      return out;
    });
    for (const run of created) {
      engine.metrics.schedulerLag.observe(
        { dag_id: dag.id },
        Math.max(0, now.getTime() - run.interval.end.getTime()) / 1000,
      );
      log.info({ dag_id: dag.id, run_id: run.runId, logical_date: run.interval.start }, 'run created');
    }
    await engine.queues.enqueue(created.flatMap((r) => r.queued));
    return created.length;
  }

  /** Asset-triggered runs (only DAGs with `onAssets`; one query when none is due). */
  async function scheduleOnAssets(paused: Map<string, { paused: boolean }>): Promise<number> {
    const dags = [...engine.dags.values()].filter((d) => d.onAssets.length > 0 && !paused.get(d.id)?.paused);
    if (dags.length === 0) return 0;
    try {
      const created = await createAssetTriggeredRuns(engine.knex, dags);
      for (const run of created)
        log.info(
          { dag_id: run.dagId, run_id: run.runId, logical_date: run.logicalDate, events: run.events },
          'asset-triggered run created',
        );
      await engine.queues.enqueue(created.flatMap((r) => r.queued));
      return created.length;
    } catch (err) {
      log.error({ err: coerceError(err) }, 'asset scheduling failed');
      return 0;
    }
  }

  /**
   * Intervals that have ended and have no scheduled run yet, oldest first. With catchup every
   * one since the last scheduled run (or startDate); without, only the latest — so unpausing a
   * DAG that is far behind creates one run, not hundreds.
   */
  function dueIntervals(dag: Dag, now: Date, lastScheduled: Date | null): DataInterval[] {
    const spec = { schedule: dag.schedule, timezone: dag.timezone };
    const notBefore = lastScheduled ? nextFireAfter(spec, lastScheduled) : dag.startDate;
    const until = dag.endDate && dag.endDate < now ? dag.endDate : now;
    if (!dag.catchup) {
      const latest = latestEndedInterval(spec, now, notBefore);
      return latest && (!dag.endDate || latest.start < dag.endDate) ? [latest] : [];
    }
    const out: DataInterval[] = [];
    let start = firstFireAtOrAfter(spec, notBefore);
    while (out.length < maxRunsPerPass * 4) {
      if (dag.endDate && start >= dag.endDate) break;
      const end = nextFireAfter(spec, start);
      if (end > now || start > until) break;
      out.push({ start, end });
      start = end;
    }
    return out;
  }

  async function sweep(): Promise<{ reenqueued: number; zombies: number }> {
    const stranded = await findStrandedTries(engine.knex, strandedAfterMs);
    const reenqueued = stranded.length > 0 ? await engine.queues.reenqueue(stranded) : 0;
    if (reenqueued > 0) log.warn({ count: reenqueued }, 're-enqueued tries missing from the queues');
    const zombies = await findZombies(engine.knex, zombieAfterMs);
    for (const z of zombies) {
      const dag = engine.dags.get(z.dagId);
      const task = dag && taskOfInstance(dag, z.taskId);
      if (!dag || !task) continue;
      const maxTries = (await taskMaxTries(engine.knex, z.runId, z.taskId)) ?? z.tryNumber;
      const error = new Error(
        `worker ${z.workerId ?? '?'} lost: no heartbeat since ${z.heartbeatAt.toISOString()}`,
      );
      const result = await finishTry(engine.knex, dag, {
        runId: z.runId,
        taskId: z.taskId,
        tryNumber: z.tryNumber,
        workerId: z.workerId,
        outcome: failureOutcome(task, z.tryNumber, maxTries, error, engine.now()),
      });
      if (result.recorded) {
        log.warn(
          { dag_id: z.dagId, run_id: z.runId, task_id: z.taskId, try_number: z.tryNumber },
          error.message,
        );
        await engine.queues.enqueue(result.queued);
      }
    }
    for (const r of await advanceIdleRuns(engine)) {
      log.warn({ dag_id: r.dagId, run_id: r.runId }, 'advanced a run nothing was advancing');
    }
    for (const r of await advanceRunsWaitingOnPast(engine)) {
      log.info({ dag_id: r.dagId, run_id: r.runId, queued: r.queued }, 'its previous run let a task start');
    }
    return { reenqueued, zombies: zombies.length };
  }

  async function checkSlas(): Promise<void> {
    for (const dag of engine.dags.values()) {
      if (dag.slaMs === undefined) continue;
      for (const miss of await claimSlaMisses(engine.knex, dag.id, dag.slaMs, engine.now())) {
        const deadline = new Date(miss.data_interval_end.getTime() + dag.slaMs);
        log.warn({ dag_id: dag.id, run_id: miss.id, deadline }, 'SLA missed');
        metrics.slaMisses.inc({ dag_id: dag.id });
        await sendAlert(
          engine.mailer,
          log,
          slaMissMail({
            dagId: dag.id,
            runId: miss.id,
            logicalDate: miss.logical_date,
            deadline,
            state: miss.state,
          }),
        );
      }
    }
  }

  async function tick() {
    if (!synced) {
      await syncDags(
        engine.knex,
        [...engine.dags.values()].map((d) => ({
          dagId: d.id,
          schedule: d.schedule,
          timezone: d.timezone,
          description: d.description ?? null,
          tags: [...d.tags],
        })),
      );
      await syncAssets(engine.knex, [...engine.dags.keys()], assetDeclarations(engine.dags.values()));
      await syncPools(engine.knex, dagPools(engine));
      synced = true;
    }
    const now = engine.now();
    const paused = await pausedDags(engine.knex);
    let created = 0;
    for (const dag of engine.dags.values()) {
      if (dag.schedule === null || paused.get(dag.id)?.paused) continue;
      try {
        created += await scheduleDag(dag, now);
      } catch (err) {
        log.error({ err: coerceError(err), dag_id: dag.id }, 'scheduling failed');
      }
    }
    created += await scheduleOnAssets(paused);
    for (const b of await listBackfills(engine.knex, { state: 'running' })) {
      const dag = engine.dags.get(b.dag_id);
      if (dag) await advanceBackfill(engine, dag, b.id);
    }
    // Before the sweep: a run past its timeout is cancelled, not advanced.
    const timedOut = (await cancelTimedOutRuns(engine)).length;
    const swept = await sweep();
    // Runs created or advanced above may wait for slots; and whatever a process that died
    // between freeing a slot and granting it left behind is granted here.
    const granted = await grantAndEnqueue(engine);
    await checkSlas();
    lastPass = Date.now();
    metrics.heartbeat.set(lastPass / 1000);
    return { created, ...swept, timedOut, granted };
  }

  const loop = async () => {
    if (closed) return;
    running = tick().catch((err) => log.error({ err: coerceError(err) }, 'scheduler pass failed'));
    await running;
    if (!closed) timer = setTimeout(loop, tickMs);
  };

  return {
    tick,
    lastPassAt: () => (lastPass === undefined ? undefined : new Date(lastPass)),
    isAlive() {
      if (startedAt === undefined || closed) return false;
      return Date.now() - (lastPass ?? startedAt) < staleAfterMs;
    },
    start() {
      startedAt = Date.now();
      log.info({ dags: engine.dags.size, tick_ms: tickMs }, 'scheduler started');
      void loop();
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
      log.info('scheduler stopped');
    },
  };
}
