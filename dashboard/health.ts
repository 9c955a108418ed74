import type { RequestHandler } from 'express';
import { Kafka, logLevel } from 'kafkajs';
import { coerceError, type Redis } from '../platform/index.js';

export interface HealthCheckResult {
  ok: boolean;
  /** Round trip in milliseconds. */
  latency_ms: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'down';
  checks: Record<'postgres' | 'redis' | 'kafka', HealthCheckResult>;
  /** The services that are down, e.g. `["kafka"]`. */
  down: string[];
}

export interface HealthOptions {
  /** Resolves when PostgreSQL answers (the composition root passes a `SELECT 1`). */
  pingDatabase: () => Promise<unknown>;
  redis: Redis;
  kafkaBrokers: string[];
  /** Each check fails after this long. @defaultValue 2000 */
  timeoutMs?: number;
}

export interface HealthChecker {
  check(): Promise<HealthReport>;
  handler: RequestHandler;
  close(): Promise<void>;
}

/**
 * `/health`: PostgreSQL (`SELECT 1`), Redis (`PING`) and Kafka (cluster metadata), in parallel,
 * each bounded by a timeout so a dead service answers in ~2 s rather than hanging the probe.
 * 200 when all answer, 503 naming the ones that did not.
 */
export function createHealthChecker(options: HealthOptions): HealthChecker {
  const timeoutMs = options.timeoutMs ?? 2_000;
  // A client of its own without retries: a health probe must report, not wait for recovery.
  const kafka = new Kafka({
    clientId: 'wareflow-dashboard-health',
    brokers: options.kafkaBrokers,
    connectionTimeout: Math.min(1_000, timeoutMs),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  let admin: ReturnType<Kafka['admin']> | undefined;

  const kafkaCheck = async () => {
    try {
      if (!admin) {
        admin = kafka.admin();
        await admin.connect();
      }
      await admin.describeCluster();
    } catch (err) {
      // Reconnect from scratch next time: a kafkajs admin does not recover from a lost broker.
      const stale = admin;
      admin = undefined;
      void stale?.disconnect().catch(() => undefined);
      throw err;
    }
  };
  const redisCheck = async () => {
    // With maxRetriesPerRequest null a command on a disconnected client is queued until it
    // reconnects, so wait for the connection (bounded by the timeout) before asking.
    await untilReady(options.redis, Math.max(100, timeoutMs - 200));
    await options.redis.ping();
  };

  const check = async (): Promise<HealthReport> => {
    const [postgres, redis, kafkaResult] = await Promise.all([
      timed(options.pingDatabase, timeoutMs),
      timed(redisCheck, timeoutMs),
      timed(kafkaCheck, timeoutMs),
    ]);
    const checks = { postgres, redis, kafka: kafkaResult };
    const down = Object.entries(checks)
      .filter(([, r]) => !r.ok)
      .map(([name]) => name);
    return { status: down.length === 0 ? 'ok' : 'down', checks, down };
  };

  return {
    check,
    handler: async (_req, res) => {
      const report = await check();
      res
        .set('Cache-Control', 'no-store')
        .status(report.status === 'ok' ? 200 : 503)
        .json(report);
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
      admin = undefined;
    },
  };
}

/** Resolves once the client is connected; rejects after `ms` or when it has been closed for good. */
function untilReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  if (redis.status === 'end') return Promise.reject(new Error('connection closed'));
  if (redis.status === 'wait') void redis.connect().catch(() => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`not connected (${redis.status})`));
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<HealthCheckResult> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latency_ms: Date.now() - started };
  } catch (err) {
    return { ok: false, latency_ms: Date.now() - started, error: coerceError(err).message };
  } finally {
    clearTimeout(timer);
  }
}
