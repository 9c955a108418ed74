import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import { isolatedEnv, startWareflow } from './wareflow.js';

const start = (args: string[], env: Record<string, string>) => startWareflow(['start', ...args], env);

/** `wareflow start` (what `npm start` runs), as a new user meets it: nothing configured. */
describe('wareflow start', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const demo = ['--demo-skus', '8', '--demo-warehouses', '2', '--demo-days', '40'];

  before(async () => {
    // An empty database: start migrates it and loads the demo.
    db = await createTestDatabase({ migrated: false });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-start-'));
    env = await isolatedEnv(db.url, dataDir);
  });
  after(async () => {
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function runUntilReady(): Promise<{ url: string; user: string; password: string; out: string }> {
    const s = start(demo, env);
    try {
      const match = await waitFor(
        'the dashboard and login lines',
        () => /dashboard: (\S+)\n(?:[^\n]*\n)*?login: (\S+) \/ (\S+)\n/.exec(s.out()) ?? undefined,
        { timeoutMs: 150_000, intervalMs: 200 },
      );
      const [, url, user, password] = match;
      // Ready means usable: the generated login works and a wrong one does not.
      const auth = (p: string) => ({ headers: { authorization: `Basic ${btoa(`${user}:${p}`)}` } });
      expect((await fetch(`${url}/api/dags`, auth(password!))).status).to.equal(200);
      expect((await fetch(`${url}/api/dags`, auth('wrong-password'))).status).to.equal(401);
      return { url: url!, user: user!, password: password!, out: s.out() };
    } finally {
      s.child.kill('SIGTERM');
      expect(await s.exited, 'exit code after SIGTERM').to.equal(0);
    }
  }

  it('starts everything on an empty warehouse: demo data, a generated login kept under DATA_DIR, loopback only', async () => {
    const first = await runUntilReady();
    expect(first.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.user).to.equal('admin');
    expect(first.password).to.have.length.of.at.least(20);
    expect(first.out).to.include('loading a demo: 8 products × 2 warehouses, 40 days');
    expect(first.out).to.match(/live demo feed: [\d.]+ events\/s/);
    const credentials = await stat(path.join(dataDir, 'credentials.json'));
    expect(credentials.mode & 0o077, 'credentials readable by their owner only').to.equal(0);

    const { rows } = await db.knex.raw(`
      SELECT (SELECT count(*) FROM inventory.products)::int AS products,
             (SELECT count(*) > 1000 FROM inventory.inventory_transactions) AS history,
             (SELECT count(*) FROM orchestrator.backfills WHERE dag_id = 'daily_inventory_etl')::int AS backfills`);
    expect(rows[0]).to.deep.equal({ products: 8, history: true, backfills: 1 });
  });

  it('resumes on the next start with the same login, without loading the demo again', async () => {
    const { rows: before } = await db.knex.raw('SELECT count(*)::int AS n FROM inventory.products');
    const again = await runUntilReady();
    expect(again.out).to.not.include('loading a demo');
    expect(again.out).to.match(/live demo feed/);
    const { rows: after } = await db.knex.raw('SELECT count(*)::int AS n FROM inventory.products');
    expect(after[0].n).to.equal(before[0].n);
    const credentials = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8'));
    expect(again.password).to.equal(credentials.password);
  });

  it('rejects a bad option with one line and exit code 2', async () => {
    const s = start(['--demo-days', '0'], env);
    expect(await s.exited).to.equal(2);
  });
});
