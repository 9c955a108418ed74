import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ensureDemo } from '../../cli/commands/demo.js';
import { loadConfig } from '../../platform/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** The demo `wareflow start` loads (cli/commands/demo.ts), into a warehouse of its own. */
describe('the demo data set', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let parent: string;

  before(async () => {
    db = await createTestDatabase();
    parent = await mkdtemp(path.join(os.tmpdir(), 'wareflow-demo-'));
  });
  after(async () => {
    await db?.drop();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('loads into a DATA_DIR that does not exist yet, makes it, and knows the demo on the next start', async () => {
    // A configured login generates no credentials file, so nothing else has made DATA_DIR.
    const dataDir = path.join(parent, 'not-yet', 'data');
    const config = loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: 'a-long-secret',
    });
    const demo = { seed: 3, skus: 4, warehouses: 2, days: 10 };
    const said: string[] = [];
    expect(await ensureDemo(config, demo, (line) => said.push(line))).to.deep.equal({ demo, loaded: true });
    expect(JSON.parse(await readFile(path.join(dataDir, 'demo.json'), 'utf8'))).to.deep.equal(demo);
    expect(said[0]).to.equal('loading a demo: 4 products × 2 warehouses, 10 days of trade …');
    expect(await ensureDemo(config, demo, () => undefined)).to.deep.equal({ demo, loaded: false });
  });
});
