import { openBrowser, requireChromium } from '../support/browser.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import { isolatedEnv, runWareflow, startWareflow, type Started } from './wareflow.js';

const DEMO = { skus: 8, warehouses: 2, days: 40 };

/**
 * The first hour of a new user, in a real Chromium: `wareflow start` on an empty warehouse, then
 * the printed login, the DAG list, one run, a task's log, the stream moving, the alerts, the stock
 * levels and one pair's chart.
 */
describe('the first hour, in a browser', function () {
  this.timeout(240_000);
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let wareflow: Started;
  let browser: Browser;
  let page: Page;
  let url: string;
  let cspViolations: string[] = [];

  before(async function () {
    requireChromium(this, 'the first-hour browser test');
    db = await createTestDatabase({ migrated: false });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-first-hour-'));
    env = await isolatedEnv(db.url, dataDir);
    wareflow = startWareflow(
      [
        'start',
        '--demo-skus',
        `${DEMO.skus}`,
        '--demo-warehouses',
        `${DEMO.warehouses}`,
        '--demo-days',
        `${DEMO.days}`,
      ],
      env,
    );
    ({ browser, page, cspViolations } = await openBrowser());
  });

  after(async () => {
    await browser?.close();
    if (wareflow) {
      wareflow.child.kill('SIGTERM');
      await wareflow.exited;
    }
    await db?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('logs in with the password `start` printed', async () => {
    const [, printedUrl, user, password] = await waitFor(
      'the dashboard and login lines',
      () => /dashboard: (\S+)\n(?:[^\n]*\n)*?login: (\S+) \/ (\S+)\n/.exec(wareflow.out()) ?? undefined,
      { timeoutMs: 150_000, intervalMs: 200 },
    );
    url = printedUrl!;
    await page.goto(`${url}/login`);
    await page.getByLabel('User').fill(user!);
    await page.getByLabel('Password').fill(password!);
    await page.locator('#login-button').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  });

  it('lists the five DAGs', async () => {
    await page.goto(`${url}/dags`);
    for (const dag of [
      'daily_inventory_etl',
      'hourly_transaction_aggregation',
      'low_stock_alerts',
      'weekly_summary',
      'data_quality',
    ])
      expect(await page.locator(`tr[data-dag="${dag}"]`).count(), dag).to.equal(1);
  });

  it("opens a run of the daily ETL and a task's log, which says what the task did", async () => {
    const run = await waitFor(
      'a finished daily ETL run',
      async () =>
        (await db
          .knex('orchestrator.dag_runs')
          .where({ dag_id: 'daily_inventory_etl', state: 'success' })
          .first()) as { id: number } | undefined,
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    await page.goto(`${url}/dags/daily_inventory_etl/runs/${run.id}`);
    expect(await page.title()).to.include('daily_inventory_etl');
    await page.goto(`${url}/dags/daily_inventory_etl/runs/${run.id}/tasks/extract_inventory_data`);
    const log = await page.locator('#log-lines').textContent();
    expect(log).to.match(/snapshots: \d+ pairs written for/);
    expect(log).to.match(/interval: day \d{4}-\d{2}-\d{2}/);
  });

  it('shows the stream moving: open windows grow while events arrive, without a reload', async () => {
    const publish = () =>
      runWareflow(
        [
          'generate',
          '--to',
          'kafka',
          '--skus',
          `${DEMO.skus}`,
          '--warehouses',
          `${DEMO.warehouses}`,
          '--rate',
          '200',
          '--count',
          '200',
          '--burst',
        ],
        env,
      );
    expect((await publish()).code).to.equal(0);
    await page.goto(`${url}/stream`);
    const openEvents = async () => {
      const cells = await page.locator('tr[data-provisional="true"] td:nth-child(2)').allTextContents();
      return cells.reduce((sum, text) => sum + Number(text), 0);
    };
    const first = await waitFor('events in the open windows', async () => (await openEvents()) || undefined, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    expect((await publish()).code).to.equal(0);
    await waitFor('the page to show more events by itself', async () => (await openEvents()) > first, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  });

  it('shows the alerts page, the stock levels and one pair with its level chart', async () => {
    await page.goto(`${url}/alerts`);
    expect(await page.locator('h1').first().textContent()).to.match(/alerts/i);
    await page.goto(`${url}/stock`);
    const rows = page.locator('#stock-table tbody tr');
    expect(await rows.count()).to.equal(DEMO.skus * DEMO.warehouses);
    await rows.first().locator('a[href^="/stock/"]').first().click();
    await page.waitForURL(/\/stock\/[^/]+\/[^/]+/);
    await page.locator('figure.level-chart svg polyline[data-series="on_hand"]').waitFor();
    expect(cspViolations).to.deep.equal([]);
  });
});
