import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { expect } from 'chai';
import { createKnex } from '../../platform/index.js';
import { startSchedulerProcess, startWorkerProcess } from '../../cli/commands/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testQueuePrefix, testTopicSuffix } from '../support/isolation.js';
import { waitFor } from '../support/wait.js';

interface HealthBody {
  status: 'ok' | 'down';
  checks: Record<string, 'ok' | 'down'>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of this spec's own, so that stopping it never touches the machine's Redis. */
class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    await waitFor(`redis-server on port ${this.port}`, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      return new Promise<boolean>((resolve) => {
        const socket = net.connect(this.port, '127.0.0.1', () => {
          socket.write('PING\r\n');
        });
        socket.once('data', (data) => {
          socket.destroy();
          resolve(String(data).startsWith('+PONG'));
        });
        socket.once('error', () => resolve(false));
      });
    });
  }

  /** Stops this spec's redis-server by its PID and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }
}

async function health(port: number): Promise<{ status: number; body: HealthBody }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: res.status, body: (await res.json()) as HealthBody };
}

async function metrics(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** Sets the environment the process commands read (`loadConfig`), and puts it back. */
function useEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

describe('process health: the worker and the scheduler answer /health truthfully', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let redis: OwnRedis;
  let restoreEnv: () => void;

  before(async function () {
    redis = new OwnRedis(await freePort());
    await redis.start();
    db = await createTestDatabase();
    restoreEnv = useEnv({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: testQueuePrefix(),
      KAFKA_TOPIC_SUFFIX: testTopicSuffix(),
      LOG_LEVEL: 'silent',
    });
  });

  after(async function () {
    restoreEnv?.();
    await redis?.stop();
    await db?.drop();
  });

  it('the worker answers 503 naming redis while its Redis is gone, and 200 again once it is back', async function () {
    const worker = await startWorkerProcess({ metricsPort: 0, concurrency: 1 });
    try {
      const port = worker.port!;
      const healthy = await waitFor('a healthy worker', async () => {
        const h = await health(port);
        return h.status === 200 && h;
      });
      expect(healthy.body).to.deep.equal({
        status: 'ok',
        checks: { postgres: 'ok', redis: 'ok', workers: 'ok' },
      });
      expect(await metrics(port)).to.match(/^wareflow_dependency_up\{dependency="redis"\} 1$/m);

      await redis.stop();
      const down = await waitFor(
        'the worker to report redis down',
        async () => {
          const h = await health(port);
          return h.status === 503 && h;
        },
        { timeoutMs: 10_000 },
      );
      expect(down.body.status).to.equal('down');
      expect(down.body.checks).to.include({ redis: 'down', postgres: 'ok' });
      expect(await metrics(port)).to.match(/^wareflow_dependency_up\{dependency="redis"\} 0$/m);

      await redis.start();
      const back = await waitFor(
        'the worker to be healthy again',
        async () => {
          const h = await health(port);
          return h.status === 200 && h;
        },
        { timeoutMs: 15_000 },
      );
      expect(back.body.checks).to.deep.equal({ postgres: 'ok', redis: 'ok', workers: 'ok' });
    } finally {
      if (!redis.running) await redis.start();
      await worker.close();
    }
  });

  it('the scheduler serves /metrics with its heartbeat and /health that fails while PostgreSQL refuses it', async function () {
    const scheduler = await startSchedulerProcess({ metricsPort: 0, tickMs: 100, staleAfterMs: 1_500 });
    const admin = createKnex(new URL('/postgres', db.url).toString(), { poolMax: 1 });
    try {
      const port = scheduler.port!;
      const started = Date.now() / 1000;
      const beat = await waitFor('a scheduler heartbeat', async () => {
        const m = /^wareflow_scheduler_heartbeat_timestamp_seconds (\S+)$/m.exec(await metrics(port));
        return m && Number(m[1]) >= started - 1 ? Number(m[1]) : false;
      });
      expect(beat).to.be.closeTo(Date.now() / 1000, 10);
      const body = await metrics(port);
      expect(body).to.match(/^wareflow_dependency_up\{dependency="postgres"\} 1$/m);
      expect(body).to.match(/^wareflow_dependency_up\{dependency="redis"\} 1$/m);
      expect(body).to.contain('# TYPE wareflow_sla_misses_total counter');
      expect(body).to.contain('# TYPE wareflow_dag_runs gauge');
      const later = await waitFor('a later heartbeat', async () => {
        const m = /^wareflow_scheduler_heartbeat_timestamp_seconds (\S+)$/m.exec(await metrics(port));
        return m && Number(m[1]) > beat ? Number(m[1]) : false;
      });
      expect(later).to.be.greaterThan(beat);
      expect(await health(port)).to.deep.equal({
        status: 200,
        body: { status: 'ok', checks: { postgres: 'ok', redis: 'ok', loop: 'ok' } },
      });

      // The test database refuses every connection: the passes fail, and /health says so.
      await admin.raw('ALTER DATABASE ?? WITH ALLOW_CONNECTIONS false', [db.name]);
      await admin.raw('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?', [db.name]);
      const down = await waitFor(
        'the scheduler to report its loop and postgres down',
        async () => {
          const h = await health(port);
          return h.status === 503 && h.body.checks.loop === 'down' && h;
        },
        { timeoutMs: 15_000 },
      );
      expect(down.body.checks).to.deep.equal({ postgres: 'down', redis: 'ok', loop: 'down' });

      await admin.raw('ALTER DATABASE ?? WITH ALLOW_CONNECTIONS true', [db.name]);
      await waitFor('the scheduler to be healthy again', async () => (await health(port)).status === 200, {
        timeoutMs: 15_000,
      });
    } finally {
      await admin.raw('ALTER DATABASE ?? WITH ALLOW_CONNECTIONS true', [db.name]).catch(() => undefined);
      await admin.destroy();
      await scheduler.close();
    }
  });
});
