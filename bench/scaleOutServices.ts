/**
 * What the scale-out bench shares between its phases: copies of a migrated template database
 * (one per phase, so every count starts from the same state), and the processes of the shared
 * services whose CPU it attributes (PostgreSQL's backends of a phase's database and its shared
 * background processes, Kafka, Redis, the bench itself).
 */
import os from 'node:os';
import { createKnex, type Config, type Knex } from '../platform/index.js';
import { listeningPid } from './processCpu.js';
import type { PidSource } from './roleCpu.js';

/** The application name of the bench's own monitoring connection (to the `postgres` database). */
const MONITOR = 'wareflow-bench-monitor';

export class BenchDatabases {
  readonly admin: Knex;
  private readonly created = new Set<string>();

  constructor(private readonly baseUrl: string) {
    this.admin = createKnex(this.urlFor('postgres'), { poolMax: 2, applicationName: MONITOR });
  }

  urlFor(database: string): string {
    const url = new URL(this.baseUrl);
    url.pathname = `/${database}`;
    return url.toString();
  }

  async create(name: string, template?: string): Promise<string> {
    this.created.add(name);
    if (template) await this.admin.raw('CREATE DATABASE ?? TEMPLATE ??', [name, template]);
    else await this.admin.raw('CREATE DATABASE ??', [name]);
    return this.urlFor(name);
  }

  async drop(name: string): Promise<void> {
    await this.admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    this.created.delete(name);
  }

  /** Drops every database this bench created and has not dropped yet, then closes. */
  async close(): Promise<void> {
    for (const name of [...this.created].reverse()) await this.drop(name).catch(() => undefined);
    await this.admin.destroy();
  }
}

/** The local pid serving `host:port`, when the host is this machine. */
function localServer(host: string, port: number): number | undefined {
  const local = new Set(['localhost', '127.0.0.1', '::1', '[::1]', os.hostname()]);
  for (const addresses of Object.values(os.networkInterfaces()))
    for (const a of addresses ?? []) local.add(a.address);
  return local.has(host) ? listeningPid(port) : undefined;
}

/**
 * The roles every phase shares, by the processes that serve them on this machine: PostgreSQL's
 * backends of `database` (every connection to it, autovacuum included), PostgreSQL's shared
 * processes (postmaster, WAL writer, checkpointer, background writer: they serve every database
 * on the server, other users' too), the Kafka broker and the Redis server (shared likewise), and
 * this bench process. A service on another machine has no processes here and shows as unmeasured.
 */
export function serviceRoles(
  config: Pick<Config, 'DATABASE_URL' | 'REDIS_URL' | 'KAFKA_BROKERS'>,
  admin: Knex,
  database: string,
): Record<string, PidSource> {
  const pg = new URL(config.DATABASE_URL);
  const redis = new URL(config.REDIS_URL);
  const [kafkaHost, kafkaPort] = config.KAFKA_BROKERS[0]!.split(':');
  const postmaster = localServer(pg.hostname, Number(pg.port || 5432));
  const redisPid = localServer(redis.hostname, Number(redis.port || 6379));
  const kafkaPid = localServer(kafkaHost!, Number(kafkaPort));
  const pids = async (where: string, bindings: string[]) =>
    postmaster === undefined
      ? []
      : (
          await admin.raw<{ rows: Array<{ pid: number }> }>(
            `SELECT pid FROM pg_stat_activity WHERE ${where}`,
            bindings,
          )
        ).rows.map((r) => r.pid);
  return {
    pg: () => pids('datname = ?', [database]),
    'pg-shared': async () => [
      ...(postmaster === undefined ? [] : [postmaster]),
      ...(await pids(`backend_type IN ('walwriter', 'checkpointer', 'background writer')`, [])),
    ],
    kafka: () => (kafkaPid === undefined ? [] : [kafkaPid]),
    redis: () => (redisPid === undefined ? [] : [redisPid]),
    bench: () => [process.pid],
  };
}
