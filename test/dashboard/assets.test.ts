import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { asset, createScheduler, defineDag, task, triggerRun, waitForRun } from '../../engine/index.js';
import { openBrowser, requireChromium } from '../support/browser.js';
import { basic, PUBLIC_READ, startServer, type TestServer } from './server.js';

const daily = asset('demo.daily_rows', { partition: 'daily', description: 'Rows of the <demo> day' });

const writer = defineDag({
  id: 'asset_writer',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: { write: task(async () => ({ rows: 7 }), { outlets: [{ asset: daily, rowsFrom: 'rows' }] }) },
});

const reader = defineDag({
  id: 'asset_reader',
  schedule: null,
  onAssets: [daily],
  startDate: '2026-01-01T00:00:00Z',
  tasks: { read: task(async () => null, { inlets: [daily] }) },
});

describe('dashboard: asset pages and /api/assets', function () {
  this.timeout(60_000);
  let s: TestServer;
  let writerRun: number;
  let readerRun: number;

  before(async () => {
    s = await startServer({ dags: [writer, reader], worker: true, env: PUBLIC_READ });
    const scheduler = createScheduler(s.harness.engine);
    await scheduler.tick(); // records the declarations
    const run = await triggerRun(s.harness.engine, 'asset_writer', {
      logicalDate: new Date('2026-02-03T00:00:00Z'),
    });
    writerRun = run.id;
    await waitForRun(s.harness.engine, run.id, { pollMs: 50 });
    await scheduler.tick();
    const [triggered] = await s.harness.db.knex('orchestrator.dag_runs').where({ dag_id: 'asset_reader' });
    readerRun = Number(triggered.id);
    await waitForRun(s.harness.engine, readerRun, { pollMs: 50 });
  });
  after(async () => s?.close());

  it('GET /api/assets lists each asset with its declarations and latest partition', async () => {
    const res = await fetch(`${s.url}/api/assets`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { assets: Array<Record<string, unknown>> };
    expect(body.assets).to.have.length(1);
    expect(body.assets[0]).to.include({
      asset_key: 'demo.daily_rows',
      partitioning: 'daily',
      event_count: 1,
      partition_count: 1,
      newest_partition: '2026-02-03',
      latest_partition: '2026-02-03',
      latest_run_id: writerRun,
    });
    expect(body.assets[0]!.declarations).to.deep.equal([
      { dag_id: 'asset_reader', task_id: '', role: 'on_assets' },
      { dag_id: 'asset_reader', task_id: 'read', role: 'inlet' },
      { dag_id: 'asset_writer', task_id: 'write', role: 'outlet' },
    ]);
  });

  it('GET /api/assets/:key gives partitions with the run that wrote them and the runs that read them', async () => {
    const res = await fetch(`${s.url}/api/assets/demo.daily_rows`);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as {
      partitions: Array<{
        partition_key: string;
        events: Array<Record<string, unknown>>;
        readers: unknown[];
      }>;
    };
    expect(body.partitions).to.have.length(1);
    expect(body.partitions[0]!.events[0]).to.include({
      run_id: writerRun,
      dag_id: 'asset_writer',
      task_id: 'write',
      try_number: 1,
      rows: 7,
    });
    expect(body.partitions[0]!.readers).to.deep.include.members([
      {
        partition_key: '2026-02-03',
        run_id: readerRun,
        dag_id: 'asset_reader',
        run_type: 'asset_triggered',
        state: 'success',
        logical_date: (body.partitions[0]!.readers[0] as { logical_date: string }).logical_date,
        how: 'triggered',
      },
    ]);
    expect((await fetch(`${s.url}/api/assets/no.such`)).status).to.equal(404);
    expect((await fetch(`${s.url}/api/assets/bad%20key`)).status).to.equal(400);
  });

  it('needs a login for the asset pages and API when reads are not public', async () => {
    const closed = await startServer({ harness: s.harness });
    try {
      expect((await fetch(`${closed.url}/api/assets`)).status).to.equal(401);
      expect(
        (await fetch(`${closed.url}/api/assets`, { headers: { authorization: basic() } })).status,
      ).to.equal(200);
    } finally {
      await closed.close();
    }
  });

  it('the DAG page links the assets it writes and runs on', async () => {
    const html = await (await fetch(`${s.url}/dags/asset_reader`)).text();
    expect(html).to.contain('href="/assets/demo.daily_rows"');
    expect(html).to.contain('new events of');
  });

  describe('in a real browser', () => {
    let browser: Browser;
    let page: Page;
    let csp: string[] = [];
    before(async function () {
      requireChromium(this, 'the asset page browser spec');
      ({ browser, page, cspViolations: csp } = await openBrowser());
    });
    after(async () => browser?.close());

    it('goes from the asset list to an asset: lineage, partitions, writer and reader runs', async () => {
      await page.goto(`${s.url}/assets`);
      const row = page.locator('tr[data-asset="demo.daily_rows"]');
      expect(await row.locator('td').nth(2).textContent()).to.contain('asset_writer');
      expect(await row.locator('td').nth(3).textContent()).to.contain('asset_reader');
      await row.locator('a', { hasText: 'demo.daily_rows' }).click();
      await page.waitForURL(/\/assets\/demo\.daily_rows$/);
      expect(await page.locator('p.muted').first().textContent()).to.equal('Rows of the <demo> day');
      const lineage = page.locator('svg.lineage');
      expect(await lineage.locator('text').allTextContents()).to.deep.equal([
        'asset_writer',
        'demo.daily_rows',
        'asset_reader',
      ]);
      const partition = page.locator('tr[data-partition="2026-02-03"]');
      expect(await partition.locator('td').nth(2).textContent()).to.contain(`asset_writer run ${writerRun}`);
      expect(await partition.locator('td').nth(4).textContent()).to.contain(`asset_reader run ${readerRun}`);
      await partition.locator('a', { hasText: `asset_reader run ${readerRun}` }).click();
      await page.waitForURL(new RegExp(`/dags/asset_reader/runs/${readerRun}$`));
      expect(csp).to.deep.equal([]);
    });
  });
});
