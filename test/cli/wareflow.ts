import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testQueuePrefix, testTopicSuffix } from '../support/isolation.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

export interface Started {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  out: () => string;
  exited: Promise<number | null>;
}

/** `node bin/wareflow.js …args` with extra environment variables; stdout is kept, stderr dropped. */
export function startWareflow(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/wareflow.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

/** Runs a wareflow command to its end. */
export async function runWareflow(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const s = startWareflow(args, env);
  const code = await s.exited;
  return { code, out: s.out() };
}

/**
 * The environment of a wareflow of its own: its database and DATA_DIR, a queue prefix, topic
 * suffix and consumer group of its own, free ports, and no configured login.
 */
export async function isolatedEnv(databaseUrl: string, dataDir: string): Promise<Record<string, string>> {
  return {
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    QUEUE_PREFIX: testQueuePrefix(),
    KAFKA_TOPIC_SUFFIX: testTopicSuffix(),
    KAFKA_GROUP_ID: `test-${path.basename(dataDir)}`,
    DASHBOARD_PORT: String(await freePort()),
    STREAMING_PORT: String(await freePort()),
    WORKER_METRICS_PORT: String(await freePort()),
    SCHEDULER_METRICS_PORT: String(await freePort()),
    DASHBOARD_USER: '',
    DASHBOARD_PASSWORD: '',
    DASHBOARD_TOKEN: '',
    DASHBOARD_USERS_FILE: '',
    DASHBOARD_PUBLIC_READ: '',
    METRICS_TOKEN: '',
  };
}
