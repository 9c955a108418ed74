import { promises as fs } from 'node:fs';
import { Redis, coerceError, redact } from '../platform/index.js';
import {
  CommandNotFoundError,
  delay,
  portOpen,
  isLocalHost,
  processAlive,
  readPidFile,
  run,
  terminate,
} from './process.js';
import type { ServiceProbe } from './types.js';

/** PINGs REDIS_URL once, without retrying, and reads the server version. */
export async function probeRedis(redisUrl: string, timeoutMs = 2_000): Promise<ServiceProbe> {
  const { host, port } = portOf(redisUrl);
  // ioredis reports a refused connection as "Connection is closed."; say what happened instead.
  if (!(await portOpen(host, port, Math.min(timeoutMs, 1_000)))) {
    return { answering: false, detail: `nothing listens on ${host}:${port}` };
  }
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    const info = await client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1];
    return { answering: true, version: version ? `Redis ${version}` : undefined };
  } catch (thrown) {
    const message = coerceError(thrown).message;
    // NOAUTH / WRONGPASS: a server is there but refuses us.
    if (/NOAUTH|WRONGPASS|DENIED/i.test(message))
      return { answering: true, detail: `server answers but refuses: ${message}` };
    return { answering: false, detail: message };
  } finally {
    client.disconnect();
  }
}

function portOf(redisUrl: string): { host: string; port: number } {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

/**
 * Starts redis-server from the system binaries on REDIS_URL's port (no persistence: Redis holds
 * queues and caches that PostgreSQL can rebuild) and waits until it answers. Returns its pid.
 */
export async function startRedis(
  redisUrl: string,
  files: { dir: string; pid: string; log: string },
  timeoutMs: number,
): Promise<number> {
  const { host, port } = portOf(redisUrl);
  const where = redact(redisUrl);
  if (!isLocalHost(host))
    throw new Error(`Redis does not answer at ${where}, and that host is not this machine`);
  await fs.mkdir(files.dir, { recursive: true });
  // The "-" before ::1 makes that address optional (Redis 7): machines without IPv6 still start.
  const args = ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', String(port)];
  args.push(
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    files.dir,
    '--logfile',
    files.log,
    '--pidfile',
    files.pid,
  );
  try {
    await run('redis-server', args, { timeoutMs });
  } catch (err) {
    if (err instanceof CommandNotFoundError) {
      throw new Error(
        `Redis does not answer at ${where} and is not installed here (no redis-server): ` +
          'install Redis 7+ (apt-get install redis-server) or point REDIS_URL at a running server',
      );
    }
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await probeRedis(redisUrl);
    const pid = await readPidFile(files.pid);
    if (probe.answering && pid !== undefined) return pid;
    if (Date.now() > deadline) {
      throw new Error(
        `redis-server started but does not answer at ${where}: ${probe.detail ?? 'no pid file'} (see ${files.log})`,
      );
    }
    await delay(100);
  }
}

/** The redis-server that `services up` started on this port, if it is still running. */
export async function ownedRedisPid(pidFile: string): Promise<number | undefined> {
  const pid = await readPidFile(pidFile);
  return pid !== undefined && (await processAlive(pid, 'redis-server')) ? pid : undefined;
}

/** Stops a redis-server we started (SIGTERM makes it shut down cleanly) and forgets its pid. */
export async function stopRedis(pid: number, pidFile: string): Promise<void> {
  await terminate(pid, 10_000);
  await fs.rm(pidFile, { force: true });
}

export { portOf as redisAddress };
