import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, promises as fs, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { CachePaths } from '../paths.js';
import {
  CommandNotFoundError,
  delay,
  processAlive,
  readPidFile,
  run,
  tailFile,
  terminate,
} from '../process.js';
import { probeKafka, type KafkaProbe } from './probe.js';

type KafkaPaths = CachePaths['kafka'];

/** Heap of the local broker: enough for tests and demos, small enough for a 2-core laptop. */
const JVM_OPTIONS = [
  '-Xmx512m',
  '-Xms128m',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-Djava.awt.headless=true',
];

export interface BrokerAddress {
  host: string;
  port: number;
}

/** Broker address from KAFKA_BROKERS (its first entry); the controller listens on port + 1. */
export function brokerAddress(brokers: readonly string[]): BrokerAddress {
  const first = brokers[0] ?? '127.0.0.1:9092';
  const at = first.lastIndexOf(':');
  return { host: first.slice(0, at), port: Number(first.slice(at + 1)) };
}

/** The java to run: $JAVA_HOME/bin/java when set, else the one on PATH. Checks it runs and is 11+. */
export async function findJava(): Promise<{ java: string; version: string }> {
  let java = 'java';
  if (process.env.JAVA_HOME) {
    const candidate = path.join(process.env.JAVA_HOME, 'bin', 'java');
    try {
      await fs.access(candidate, constants.X_OK);
      java = candidate;
    } catch {
      // fall back to PATH
    }
  }
  let output: string;
  try {
    const { stdout, stderr } = await run(java, ['-version']);
    output = stderr + stdout;
  } catch (err) {
    if (err instanceof CommandNotFoundError) {
      throw new Error(
        'Kafka is not running and Java is missing: install a JDK 17 (apt-get install openjdk-17-jre-headless)',
      );
    }
    throw err;
  }
  const version = /version "([^"]+)"/.exec(output)?.[1] ?? 'unknown';
  const major = Number(version.startsWith('1.') ? version.split('.')[1] : version.split('.')[0]);
  if (Number.isFinite(major) && major < 11) {
    throw new Error(`Kafka needs Java 11 or newer (17 recommended); ${java} is ${version}`);
  }
  return { java, version };
}

/** Writes the broker's server.properties for this address and cache folder. */
export async function renderServerProperties(paths: KafkaPaths, address: BrokerAddress): Promise<void> {
  const template = await fs.readFile(paths.serverTemplate, 'utf8');
  const values: Record<string, string> = {
    HOST: address.host,
    PORT: String(address.port),
    CONTROLLER_PORT: String(address.port + 1),
    LOG_DIRS: paths.data,
  };
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${paths.serverTemplate}: unknown placeholder {{${key}}}`);
    return value;
  });
  await fs.mkdir(paths.dir, { recursive: true });
  await fs.writeFile(paths.serverProperties, rendered);
}

/**
 * A KRaft cluster id: 16 random bytes in URL-safe base64, as Kafka's `Uuid.toString()` writes
 * them. Kafka never hands out ids that start with "-" (they read like command-line flags).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the KRaft storage once; resolves with whether it had to. */
export async function formatStorageOnce(paths: KafkaPaths, java: string): Promise<boolean> {
  try {
    await fs.access(path.join(paths.data, 'meta.properties'));
    return false;
  } catch {
    // not formatted yet
  }
  await fs.mkdir(paths.data, { recursive: true });
  await run(java, [
    `-Dlog4j.configuration=file:${paths.log4j}`,
    '-cp',
    `${paths.lib}/*`,
    'kafka.tools.StorageTool',
    'format',
    '--ignore-formatted',
    '-t',
    newClusterId(),
    '-c',
    paths.serverProperties,
  ]);
  return true;
}

/** The broker process this cache folder owns, if it is still running. */
export async function ownedBrokerPid(paths: KafkaPaths): Promise<number | undefined> {
  const pid = await readPidFile(paths.pid);
  // The server.properties path is unique to this cache folder, so a reused pid is not mistaken for ours.
  return pid !== undefined && (await processAlive(pid, paths.serverProperties)) ? pid : undefined;
}

export type StartOutcome = { pid: number; probe: KafkaProbe } | { pid: undefined; probe: KafkaProbe };

/**
 * Starts the broker detached from this process (it outlives the CLI), with its output in
 * kafka.log and its pid in kafka.pid, and waits until it answers a metadata request. If it exits
 * during start because another broker took the port meanwhile, that broker is used instead
 * (`pid` undefined).
 */
export async function startBroker(
  paths: KafkaPaths,
  java: string,
  address: BrokerAddress,
  timeoutMs: number,
): Promise<StartOutcome> {
  await fs.rename(paths.log, `${paths.log}.1`).catch(() => undefined);
  const out = openSync(paths.log, 'a');
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let child;
  try {
    child = spawn(
      java,
      [
        ...JVM_OPTIONS,
        `-Dlog4j.configuration=file:${paths.log4j}`,
        '-cp',
        `${paths.lib}/*`,
        'kafka.Kafka',
        paths.serverProperties,
      ],
      { cwd: paths.dir, detached: true, stdio: ['ignore', out, out] },
    );
  } finally {
    closeSync(out);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${java}`);
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.unref();
  await fs.writeFile(paths.pid, String(pid));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await probeKafka(address.host, address.port);
    if (exited) {
      await forgetPid(paths.pid, pid);
      if (probe.kafka) return { pid: undefined, probe };
      const how = exited.signal ? `signal ${exited.signal}` : `code ${exited.code}`;
      throw new Error(
        `Kafka exited with ${how} while starting; last lines of ${paths.log}:\n${await tailFile(paths.log)}`,
      );
    }
    if (probe.kafka) return { pid, probe };
    if (Date.now() > deadline) {
      await terminate(pid, 10_000);
      await forgetPid(paths.pid, pid);
      throw new Error(
        `Kafka did not answer on ${address.host}:${address.port} within ${timeoutMs} ms (${probe.detail}); ` +
          `last lines of ${paths.log}:\n${await tailFile(paths.log)}`,
      );
    }
    await delay(250);
  }
}

/** Stops the broker we own: SIGTERM runs Kafka's controlled shutdown; SIGKILL after a minute. */
export async function stopBroker(paths: KafkaPaths, pid: number): Promise<'terminated' | 'killed' | 'gone'> {
  const how = await terminate(pid, 60_000);
  await forgetPid(paths.pid, pid);
  return how;
}

/** Removes the pid file only if it still names this process (another start may have replaced it). */
async function forgetPid(file: string, pid: number): Promise<void> {
  if ((await readPidFile(file)) === pid) await fs.rm(file, { force: true });
}
