import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import { Kafka, loadConfig } from '../../platform/index.js';
import { cachePaths, ensureKafkaJars } from '../../services/index.js';
import { TEST_REDIS_URL } from '../support/isolation.js';
import { waitFor } from '../support/wait.js';
import { servicesJson } from './cli.js';

/** A port nothing listens on right now (the kernel picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A broker port whose next port (the controller's) is free too. */
async function freeBrokerPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await portFree(port + 1))) return port;
  }
}

const CACHE_PREFIX = 'wareflow-services-';

/** Whether a process runs whose command line mentions `marker`. */
async function running(pid: number, marker: string): Promise<boolean> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(marker);
  } catch {
    return false;
  }
}

/**
 * Stops the broker and Redis of cache folders left by earlier runs of this file that were killed
 * before their `after` hook (their owner process is gone), and removes those folders.
 */
async function sweepAbandonedCaches(): Promise<void> {
  for (const name of await fs.readdir(os.tmpdir())) {
    if (!name.startsWith(CACHE_PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    const owner = Number(await fs.readFile(path.join(dir, 'owner.pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner)) {
      if (await fs.stat(`/proc/${owner}`).catch(() => undefined)) continue;
    } else {
      // No owner yet: another run may have just created it; only a stale one is abandoned.
      const stat = await fs.stat(dir).catch(() => undefined);
      if (!stat || Date.now() - stat.mtimeMs < 10 * 60_000) continue;
    }
    // The broker's command line names its cache folder; redis-server rewrites its own.
    const pidFiles: Array<[string, string]> = [
      [path.join(dir, 'kafka', 'kafka.pid'), dir],
      ...(await fs.readdir(path.join(dir, 'redis')).catch(() => [] as string[]))
        .filter((f) => f.endsWith('.pid'))
        .map((f): [string, string] => [path.join(dir, 'redis', f), 'redis-server']),
    ];
    for (const [file, marker] of pidFiles) {
      const pid = Number(await fs.readFile(file, 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(pid) && (await running(pid, marker))) process.kill(pid, 'SIGKILL');
    }
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('wareflow services on ports of its own', function () {
  // A cold jar download (no shared cache yet) takes a minute or two; a warm start a few seconds.
  this.timeout(240_000);

  let cacheDir: string;
  let env: NodeJS.ProcessEnv;
  let kafkaPort: number;
  let redisPort: number;

  before(async () => {
    kafkaPort = await freeBrokerPort();
    redisPort = await freePort();
    await sweepAbandonedCaches();
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), CACHE_PREFIX));
    await fs.writeFile(path.join(cacheDir, 'owner.pid'), String(process.pid));
    // The jars come from this checkout's cache (fetched there once, as `services up` would), so
    // the test starts a broker of its own without downloading Kafka on every run.
    const shared = cachePaths(loadConfig()).kafka;
    await ensureKafkaJars(shared);
    await fs.mkdir(path.join(cacheDir, 'kafka'), { recursive: true });
    await fs.symlink(shared.lib, path.join(cacheDir, 'kafka', 'lib'));
    env = {
      WAREFLOW_CACHE_DIR: cacheDir,
      KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      KAFKA_TOPIC_SUFFIX: '',
    };
  });

  after(async () => {
    if (env) await servicesJson('down', env);
    if (cacheDir) await fs.rm(cacheDir, { recursive: true, force: true });
  });

  it('starts a missing Kafka and Redis, creates the SPEC topics, reuses them, and stops only what it started', async () => {
    const up = await servicesJson('up', env);
    expect(up.code, up.stderr).to.equal(0);
    expect(up.byName.kafka).to.include({
      ok: true,
      state: 'started',
      managed: true,
      where: `127.0.0.1:${kafkaPort}`,
    });
    expect(up.byName.redis).to.include({ ok: true, state: 'started', managed: true });
    expect(up.byName.postgres).to.include({ ok: true, managed: false });
    expect(up.result.topics.map((t) => t.topic)).to.have.members([
      'inventory-events',
      'inventory-events.dlq',
      'inventory-alerts',
      'reorder-events',
      'analytics-events',
      'warehouse-orders',
      'warehouse-orders.dlq',
      'warehouse-shipments',
      'warehouse-shipments.dlq',
      'warehouse-audit',
      'warehouse-audit.dlq',
    ]);
    const kafkaPid = up.byName.kafka!.pid!;
    const redisPid = up.byName.redis!.pid!;

    // The broker really serves the topics, with the partition count the SPEC asks for.
    const kafka = new Kafka({ brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ['inventory-events', 'reorder-events'] });
      expect(topics.find((t) => t.name === 'inventory-events')!.partitions).to.have.length(6);
    } finally {
      await admin.disconnect();
    }

    const again = await servicesJson('up', env);
    expect(again.code).to.equal(0);
    expect(again.byName.kafka).to.include({ state: 'already running', managed: true, pid: kafkaPid });
    expect(again.byName.redis).to.include({ state: 'already running' });

    const status = await servicesJson('status', env);
    expect(status.code).to.equal(0);
    expect(status.result.services.map((s) => s.state)).to.deep.equal(['up', 'up', 'up']);
    expect(status.byName.kafka).to.include({ managed: true, pid: kafkaPid });

    const down = await servicesJson('down', env);
    expect(down.code, down.stderr).to.equal(0);
    expect(down.byName.kafka).to.include({ state: 'stopped', pid: kafkaPid });
    expect(down.byName.redis).to.include({ state: 'stopped', pid: redisPid });
    expect(down.byName.postgres).to.include({ state: 'left running', managed: false });
    await waitFor('the broker port to close', async () => portFree(kafkaPort));

    const after = await servicesJson('status', env);
    expect(after.code).to.equal(1);
    expect(after.byName.kafka).to.include({ ok: false, state: 'down' });
    expect(after.byName.redis).to.include({ ok: false, state: 'down' });
    expect(after.byName.postgres).to.include({ ok: true, state: 'up' });
  });

  it('refuses a Kafka port taken by something that is not Kafka, and says so', async () => {
    const sockets = new Set<net.Socket>();
    const impostor = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined); // the probing client may reset the connection
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const { port } = impostor.address() as net.AddressInfo;
    try {
      const up = await servicesJson('up', {
        ...env,
        KAFKA_BROKERS: `127.0.0.1:${port}`,
        REDIS_URL: TEST_REDIS_URL,
      });
      expect(up.code).to.equal(1);
      expect(up.result.ok).to.equal(false);
      expect(up.byName.kafka).to.include({ ok: false, state: 'failed', managed: false });
      expect(up.byName.kafka!.detail).to.contain('does not answer as Kafka');
    } finally {
      // close() waits for every connection; a half-closed one would keep it waiting.
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => impostor.close(resolve));
    }
  });
});
