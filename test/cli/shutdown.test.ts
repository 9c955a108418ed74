import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ownPostgres, ownRedis, type OwnPostgres, type OwnRedis } from '../../bench/chaos/services.js';
import { ensureDatabase, migrateLatest } from '../../db/index.js';
import { createKnex, EXIT_ABANDONED } from '../../platform/index.js';
import { testQueuePrefix, testTopicSuffix, TEST_KAFKA_BROKERS } from '../support/isolation.js';
import { waitFor } from '../support/wait.js';
import { freePort } from './wareflow.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GRACE_MS = 3_000;
/** Node's start, the last log lines and the exit itself, on a loaded 2-core machine. */
const MARGIN_MS = 4_000;

describe('bounded shutdown: every process exits within SHUTDOWN_GRACE_MS of SIGTERM while its PostgreSQL is down', function () {
  this.timeout(120_000);
  let pg: OwnPostgres;
  let redis: OwnRedis;
  let dataDir: string;

  before(async function () {
    this.timeout(120_000);
    [pg, redis] = [await ownPostgres(), await ownRedis()];
    await ensureDatabase(pg.url, (u) => createKnex(u, { poolMax: 1 }));
    const knex = createKnex(pg.url, { poolMax: 1 });
    await migrateLatest(knex).finally(() => knex.destroy());
    dataDir = mkdtempSync(path.join(tmpdir(), 'wareflow-shutdown-'));
  });
  after(async () => {
    await redis?.remove();
    await pg?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Each case stops PostgreSQL; the next one needs it back.
    await pg.start().catch(() => undefined);
  });

  /** `ready`: the line each process logs once it runs. */
  const cases: Array<{ role: string; args: string[]; ready: RegExp }> = [
    { role: 'scheduler', args: ['scheduler', '--metrics-port', '0'], ready: /scheduler started/ },
    { role: 'worker', args: ['worker', '--metrics-port', '0'], ready: /worker started/ },
    { role: 'streaming', args: ['streaming'], ready: /streaming sidecar started/ },
    { role: 'dashboard', args: ['dashboard', '--port', '0'], ready: /wareflow dashboard on/ },
    { role: 'start', args: ['start', '--no-streaming', '--no-demo'], ready: /wareflow started/ },
  ];
  for (const c of cases) {
    it(`${c.role}: exits with code 0 or ${EXIT_ABANDONED} and logs how it stopped`, async () => {
      const env = {
        ...process.env,
        DATABASE_URL: pg.url,
        REDIS_URL: redis.url,
        KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
        KAFKA_TOPIC_SUFFIX: testTopicSuffix(),
        KAFKA_GROUP_ID: `test-shutdown-${c.role}`,
        QUEUE_PREFIX: testQueuePrefix(),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
        STREAMING_PORT: String(await freePort()),
        DASHBOARD_PORT: String(await freePort()),
        DASHBOARD_USER: 'ops',
        DASHBOARD_PASSWORD: 'a-long-enough-password',
      };
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/wareflow.js'), ...c.args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      try {
        await waitFor(`${c.role} to run`, () => c.ready.test(log), { timeoutMs: 60_000, intervalMs: 100 });
        await pg.stop('immediate');
        const t0 = Date.now();
        child.kill('SIGTERM');
        const [code, signal] = await Promise.race([
          exited,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('still running')), GRACE_MS + MARGIN_MS),
          ),
        ]);
        const took = Date.now() - t0;
        expect(signal, log).to.equal(null);
        expect([0, EXIT_ABANDONED], log).to.include(code);
        expect(took).to.be.below(GRACE_MS + MARGIN_MS);
        if (code === EXIT_ABANDONED) {
          const line = log.split('\n').find((l) => l.includes('shutdown abandoned'));
          expect(line, log).to.be.a('string');
          const entry = JSON.parse(line!) as { abandoned: Array<{ part: string }>; open: object };
          expect(entry.abandoned.length).to.be.greaterThan(0);
          expect(entry.open).to.be.an('object');
        } else {
          expect(log).to.match(/"msg":"stopped"/);
        }
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  }
});
