/**
 * One worker count of the scale-out bench: the scheduler bench's throughput phase (many runs of
 * its 20-task wide DAG at once, trigger to last run done) with `n` worker processes on a fresh
 * copy of the migrated template database and a queue prefix of its own. The limit is the
 * scheduler bench's: bare BullMQ (same Redis, `n` workers × the same concurrency, no PostgreSQL).
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { createKnex, createLogger, createRedis, type Config } from '../platform/index.js';
import { createEngine, triggerRun, waitForRun } from '../engine/index.js';
import { bareBullmq, DAGS, spawnWorkers, wideThroughput } from './scheduler.js';
import { RoleMeter, type PhaseCpu } from './roleCpu.js';
import { serviceRoles, type BenchDatabases } from './scaleOutServices.js';

export interface WorkerStage {
  config: Config;
  databases: BenchDatabases;
  /** A migrated database. */
  template: string;
  name: string;
  /** Runs of the wide DAG at each count. */
  runs: number;
  /** Tries at once per worker. */
  concurrency: number;
  log: (message: string) => void;
}

export interface WorkerCount {
  processes: number;
  instances: number;
  instancesPerS: number;
  /** Bare BullMQ jobs/s with as many workers. */
  bareJobsPerS: number;
  cpu: PhaseCpu;
  load: number;
}

/** PostgreSQL connections a worker child of the scheduler bench may open (its pool). */
const CHILD_CONNECTIONS = 20;

/** Fails before any work when `n` workers could run PostgreSQL out of connections. */
export async function checkConnections(databases: BenchDatabases, n: number): Promise<void> {
  const { rows } = await databases.admin.raw<{ rows: Array<{ max: number; used: number }> }>(
    `SELECT current_setting('max_connections')::int AS max, (SELECT count(*) FROM pg_stat_activity)::int AS used`,
  );
  const { max, used } = rows[0]!;
  if (used + n * CHILD_CONNECTIONS + 8 > max)
    throw new Error(
      `${n} workers may open ${n * CHILD_CONNECTIONS} PostgreSQL connections, and ${used} of its max_connections ${max} are in use: ask for fewer workers`,
    );
}

export async function measureWorkers(stage: WorkerStage, n: number): Promise<WorkerCount> {
  const { config, databases, log } = stage;
  const prefix = `wfscale-${randomBytes(4).toString('hex')}-${n}`;
  const bare = await bareBullmq(config.REDIS_URL, `${prefix}-bare`, 5_000, stage.concurrency, n);
  log(`${n} workers: limit, bare BullMQ ${Math.round(bare.perSecond)} jobs/s`);

  const db = `${stage.name}_w${n}`;
  const url = await databases.create(db, stage.template);
  const knex = createKnex(url, { poolMax: 8 });
  const redis = createRedis(config.REDIS_URL);
  const engine = createEngine({
    knex,
    redis,
    queuePrefix: prefix,
    dags: DAGS,
    logger: createLogger({ level: 'warn', name: 'bench' }),
  });
  const children: ChildProcess[] = [];
  try {
    children.push(
      ...(await spawnWorkers(n, {
        DATABASE_URL: url,
        QUEUE_PREFIX: prefix,
        REDIS_URL: config.REDIS_URL,
        CONCURRENCY: String(stage.concurrency),
      })),
    );
    // Warm-up (connections, prepared plans, JIT), then an empty history as at the start.
    await waitForRun(engine, (await triggerRun(engine, 'bench_wide')).id, { pollMs: 20 });
    await knex.raw('DELETE FROM orchestrator.dag_runs');

    const meter = new RoleMeter({
      workers: () => children.map((c) => c.pid!),
      ...serviceRoles(config, databases.admin, db),
    });
    await meter.start();
    const { instances, perSecond } = await wideThroughput(engine, stage.runs);
    const cpu = await meter.stop();
    log(`${n} workers: ${instances} task instances, ${Math.round(perSecond)}/s`);
    return {
      processes: n,
      instances,
      instancesPerS: perSecond,
      bareJobsPerS: bare.perSecond,
      cpu,
      load: os.loadavg()[0]!,
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    const q = new Queue('tasks-default', { connection: redis, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
    await engine.close();
    await redis.quit();
    await knex.destroy();
    await databases.drop(db);
  }
}
