import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase, migrateLatest } from '../../db/index.js';
import { createKnex, loadConfig, type Knex } from '../../platform/index.js';
import { Role } from './roles.js';
import {
  freePort,
  ownKafka,
  ownPostgres,
  ownRedis,
  type OwnKafka,
  type OwnPostgres,
  type OwnRedis,
} from './services.js';

/** Shutdown grace of the roles the suite runs: short, so a stop under a fault ends soon. */
export const CHAOS_GRACE_MS = 10_000;

/**
 * One scenario's world: its own PostgreSQL and Redis, its own Kafka broker when asked (else the
 * configured one, under a topic suffix and group of its own), and the wareflow processes on them.
 */
export interface World {
  pg: OwnPostgres;
  redis: OwnRedis;
  kafka: OwnKafka | undefined;
  brokers: string[];
  /** A pool for the suite's own reads; queries fail while PostgreSQL is down. */
  knex: Knex;
  env(): Record<string, string>;
  role(kind: 'scheduler' | 'worker' | 'streaming'): Role;
  roles: Role[];
  /** Drops and creates the database, then migrates it (`db reset` under a Redis that keeps its jobs). */
  recreateDatabase(): Promise<void>;
  close(): Promise<void>;
}

export async function openWorld(options: { ownKafka?: boolean } = {}): Promise<World> {
  const pg = await ownPostgres();
  const redis = await ownRedis().catch(async (err) => {
    await pg.remove();
    throw err;
  });
  let kafka: OwnKafka | undefined;
  try {
    if (options.ownKafka) kafka = await ownKafka();
  } catch (err) {
    await redis.remove();
    await pg.remove();
    throw err;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'wareflow-chaos-data-'));
  const id = randomBytes(4).toString('hex');
  const brokers = kafka?.brokers ?? loadConfig().KAFKA_BROKERS;
  const env = (): Record<string, string> => ({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_SUFFIX: `.chaos-${id}`,
    KAFKA_GROUP_ID: `chaos-${id}`,
    QUEUE_PREFIX: `chaos-${id}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    SHUTDOWN_GRACE_MS: String(CHAOS_GRACE_MS),
  });
  const migrate = async () => {
    await ensureDatabase(pg.url, (u) => createKnex(u, { poolMax: 1 }));
    const k = createKnex(pg.url, { poolMax: 1 });
    try {
      await migrateLatest(k);
    } finally {
      await k.destroy();
    }
  };
  await migrate();
  const roles: Role[] = [];
  const knex = createKnex(pg.url, { poolMax: 3, applicationName: 'wareflow-chaos' });
  const world: World = {
    pg,
    redis,
    kafka,
    brokers,
    knex,
    env,
    roles,
    role(kind) {
      const n = roles.filter((r) => r.name.startsWith(kind)).length + 1;
      const args =
        kind === 'streaming'
          ? ['streaming', '--session-timeout-ms', '6000']
          : [kind, '--metrics-port', '0', ...(kind === 'scheduler' ? ['--tick-ms', '500'] : [])];
      // The sidecar's port must be positive: a free one, taken at each start.
      const role = new Role(`${kind} ${n}`, args, async () => ({
        ...env(),
        ...(kind === 'streaming' ? { STREAMING_PORT: String(await freePort()) } : {}),
      }));
      roles.push(role);
      return role;
    },
    async recreateDatabase() {
      const admin = createKnex(pg.url.replace(/\/wareflow$/, '/postgres'), { poolMax: 1 });
      try {
        await admin.raw('DROP DATABASE IF EXISTS wareflow WITH (FORCE)');
      } finally {
        await admin.destroy();
      }
      await migrate();
    },
    async close() {
      for (const r of roles.splice(0).reverse()) await r.stop('SIGKILL');
      await knex.destroy().catch(() => undefined);
      await kafka?.remove();
      await redis.remove();
      await pg.remove();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Polls `probe` (errors count as not yet) until it is true; resolves with the time it took. */
export async function until(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  context: () => string = () => '',
): Promise<number> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return Date.now() - t0;
    } catch (err) {
      last = err;
    }
    if (Date.now() - t0 > timeoutMs)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}\n${context()}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
