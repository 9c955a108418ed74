/**
 * The chaos suite's own services: a PostgreSQL cluster (`initdb` in a temporary folder), a
 * `redis-server` without persistence and, for the broker scenario, a single-node KRaft Kafka, each
 * on free ports. Each is stopped by the pid this process started; the machine's own services are
 * never touched.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../platform/index.js';
import { cachePaths, ensureKafkaJars } from '../../services/index.js';
import {
  findJava,
  formatStorageOnce,
  renderServerProperties,
  startBroker,
  stopBroker,
} from '../../services/kafka/index.js';
import { delay, portOpen } from '../../services/process.js';

const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  server.close();
  return port;
}

/** Waits until `host:port` accepts connections, or throws after `timeoutMs`. */
async function untilOpen(what: string, port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portOpen('127.0.0.1', port, 500))) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await delay(100);
  }
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export interface OwnPostgres {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** `immediate` (SIGQUIT: no checkpoint, crash recovery at the next start) or `fast` (SIGINT). */
  stop(mode: 'immediate' | 'fast'): Promise<void>;
  remove(): Promise<void>;
}

export async function ownPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wareflow-chaos-pg-'));
  const user = runAs();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  execFileSync(
    path.join(PG_BIN, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { ...(user ?? {}), stdio: 'ignore' },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  const pg: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/wareflow`,
    port,
    async start() {
      child = spawn(
        path.join(PG_BIN, 'postgres'),
        [
          '-D',
          data,
          '-p',
          String(port),
          '-k',
          dir,
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'fsync=off',
          '-c',
          'max_connections=200',
        ],
        { ...(user ?? {}), stdio: 'ignore' },
      );
      await untilOpen('postgres', port, 60_000, child);
    },
    stop: (mode) => stopChild(child, mode === 'immediate' ? 'SIGQUIT' : 'SIGINT'),
    async remove() {
      await stopChild(child, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await pg.start();
  return pg;
}

export interface OwnRedis {
  readonly url: string;
  start(): Promise<void>;
  /** SIGKILL: nothing is saved (it runs with no RDB and no AOF anyway). */
  kill(): Promise<void>;
  remove(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      await untilOpen('redis-server', port, 20_000, child);
    },
    kill: () => stopChild(child, 'SIGKILL'),
    remove: () => stopChild(child, 'SIGKILL'),
  };
  await redis.start();
  return redis;
}

export interface OwnKafka {
  readonly brokers: string[];
  start(): Promise<void>;
  /** SIGTERM: Kafka's controlled shutdown. */
  stop(): Promise<void>;
  remove(): Promise<void>;
}

/** A single-node KRaft broker of its own (data, ports, cluster id), from the cached jars. */
export async function ownKafka(): Promise<OwnKafka> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wareflow-chaos-kafka-'));
  const shared = cachePaths(loadConfig()).kafka;
  await ensureKafkaJars(shared);
  const paths = cachePaths({ WAREFLOW_CACHE_DIR: dir }).kafka;
  const { java } = await findJava();
  // Two consecutive free ports: the broker's and its controller's.
  let port = await freePort();
  while (!(await freePortPair(port))) port = await freePort();
  const address = { host: '127.0.0.1', port };
  await renderServerProperties(paths, address);
  symlinkSync(shared.lib, paths.lib);
  await formatStorageOnce(paths, java);
  let pid: number | undefined;
  const kafka: OwnKafka = {
    brokers: [`127.0.0.1:${port}`],
    async start() {
      const started = await startBroker(paths, java, address, 120_000);
      if (started.pid === undefined) throw new Error(`another broker took 127.0.0.1:${port}`);
      pid = started.pid;
    },
    async stop() {
      if (pid !== undefined) await stopBroker(paths, pid);
      pid = undefined;
    },
    async remove() {
      await kafka.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await kafka.start();
  return kafka;
}

async function freePortPair(port: number): Promise<boolean> {
  return !(await portOpen('127.0.0.1', port + 1, 200)) && port < 65_000;
}
