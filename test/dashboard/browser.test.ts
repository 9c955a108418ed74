import { mkdirSync } from 'node:fs';
import { openBrowser, requireChromium } from '../support/browser.js';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { defineDag, queueNameFor, task } from '../../engine/index.js';
import { waitFor } from '../support/wait.js';
import { basic, demoDag, failingDag, json, PASSWORD, startServer, USER, type TestServer } from './server.js';

/** The one browser global used in an evaluate callback (the project's lib has no DOM types). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string; fill: string };
}

/** A task that logs, then waits for the test to let it finish: a try the page sees running. */
let releaseGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (releaseGate = resolve));
const gatedDag = defineDag({
  id: 'gated',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    wait: task(async (ctx) => {
      ctx.log.info('before the gate');
      await gate;
      ctx.log.info('after the gate', { opened: true });
      return { gated: true };
    }),
  },
});

const ARTIFACTS = path.resolve('artifacts');

/**
 * The newcomer's path through the dashboard in a real Chromium: log in, trigger a DAG with a
 * param from its page, watch the run turn green in the live grid, open a task's log. Screenshots
 * go to artifacts/ (git-ignored, kept by CI). Any CSP violation on our pages fails the test.
 */
describe('dashboard in a real browser', function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let cspViolations: string[] = [];

  before(async function () {
    requireChromium(this, 'the browser test');
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await startServer({ worker: true, dags: [demoDag, failingDag, gatedDag] });
    ({ browser, page, cspViolations } = await openBrowser());
  });

  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('logs in, triggers demo_etl with a param, watches the run turn green in the grid, and opens a task log', async () => {
    await page.goto(`${s.url}/dags/demo_etl`);
    // Anonymous visitors see nothing but the login form, which brings them back here.
    await page.waitForURL(/\/login\?next=%2Fdags%2Fdemo_etl$/);
    await page.getByLabel('User').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.locator('#login-button').click();
    await page.waitForURL(/\/dags\/demo_etl$/);

    await page.locator('select[name="param.days"], input[name="param.days"]').fill('2');
    await page.locator('#trigger-button').click();
    await page.waitForURL(/\/dags\/demo_etl/);
    const flash = await page.locator('.flash').textContent();
    const runId = Number(/triggered run (\d+)/.exec(flash ?? '')?.[1]);
    expect(runId, `flash: ${flash}`).to.be.greaterThan(0);

    // The grid refreshes itself (no reload here): wait for the run's column to turn green.
    const runHead = page.locator(`#grid a.run-head[data-run-id="${runId}"]`);
    await runHead.waitFor();
    await page
      .locator(`#grid a.run-head[data-run-id="${runId}"][data-state="success"]`)
      .waitFor({ timeout: 60_000 });
    const cells = page.locator(`#grid a.cell[data-run-id="${runId}"]`);
    expect(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).to.deep.equal([
      'success',
      'success',
    ]);
    const green = await page
      .locator(`#grid a.cell[data-run-id="${runId}"][data-task="load"]`)
      .evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).backgroundColor);
    expect(green).to.equal('rgb(46, 158, 68)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-grid.png'), fullPage: true });

    await page.locator(`#grid a.cell[data-run-id="${runId}"][data-task="extract"]`).click();
    await page.waitForURL(new RegExp(`/dags/demo_etl/runs/${runId}/tasks/extract`));
    const log = await page.locator('#log-lines').textContent();
    expect(log).to.match(/INFO\s+extracting rows \{"days":2\}/);
    expect(await page.locator('pre.json').textContent()).to.include('"rows": 3');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-task-log.png'), fullPage: true });

    const run = await s.harness.db.knex('orchestrator.dag_runs').where('id', runId).first();
    expect(run).to.include({ state: 'success', run_type: 'manual' });
    expect(run.conf).to.deep.equal({ days: 2, label: 'x' });
  });

  it('lists the DAGs with their recent runs as coloured dots, and shows Bull Board after login', async () => {
    await page.goto(`${s.url}/`);
    expect(await page.locator('tr[data-dag="demo_etl"] .dots a.state-success').count()).to.be.greaterThan(0);
    expect(await page.locator('tr[data-dag="demo_etl"]').textContent()).to.include('every day at 02:00 UTC');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-dags.png'), fullPage: true });

    await page.goto(`${s.url}/admin/queues`);
    await page.getByText(queueNameFor('default')).first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle').catch(() => undefined); // the board polls; best effort
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-bull-board.png') });
  });

  it("follows a running task's log on its page: appends the lines without a reload, then shows the output", async () => {
    const created = await fetch(`${s.url}/api/dags/gated/runs`, json({}, basic()));
    const runId = ((await created.json()) as { id: number }).id;
    const knex = s.harness.db.knex;
    await waitFor('the gated task to run', async () => {
      const ti = await knex('orchestrator.task_instances').where({ run_id: runId, task_id: 'wait' }).first();
      return ti?.state === 'running';
    });
    await page.goto(`${s.url}/dags/gated/runs/${runId}/tasks/wait`);
    expect(await page.locator('#log-section').getAttribute('data-log-final')).to.equal('no');
    await page.evaluate(() => ((globalThis as Record<string, unknown>).sameDocument = true));

    // Lines stored while the try runs (the engine's live task log) show before the try ends.
    await page.locator('#log-lines', { hasText: 'before the gate' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#task-output').textContent()).to.include('when the task ends');

    releaseGate();
    await page
      .locator('#log-lines', { hasText: 'after the gate {"opened":true}' })
      .waitFor({ timeout: 30_000 });
    await page.locator('#log-section[data-log-final="yes"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#log-lines').textContent()).to.match(
      /INFO\s+before the gate[\s\S]*after the gate/,
    );
    expect(await page.locator('#task-output pre.json').textContent()).to.include('"gated": true');
    expect(await page.locator('#log-following').count()).to.equal(0);
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>).sameDocument)).to.equal(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-task-live-log.png'), fullPage: true });
  });

  it("draws the task graph, duration history and calendar on the DAG page, and a run's Gantt chart", async () => {
    await page.goto(`${s.url}/dags/demo_etl`);
    for (const id of ['task-graph', 'durations', 'calendar']) await page.locator(`#${id} svg`).waitFor();
    const graph = page.locator('#task-graph a.graph-node');
    expect(await graph.evaluateAll((els) => els.map((e) => e.getAttribute('data-task')))).to.deep.equal([
      'extract',
      'load',
    ]);
    expect(await page.locator('#task-graph path.edge[data-from="extract"][data-to="load"]').count()).to.equal(
      1,
    );
    const fill = await page
      .locator('#task-graph a.graph-node[data-task="load"][data-state="success"] rect')
      .evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).fill);
    expect(fill).to.equal('rgb(46, 158, 68)');
    expect(await page.locator('#durations .duration-line').count()).to.equal(2);
    expect(await page.locator('#calendar rect.day').count()).to.be.within(365, 366);
    expect(await page.locator('#calendar rect.day.state-success').count()).to.be.greaterThan(0);
    const box = await page.locator('#calendar svg').boundingBox();
    expect(box?.width ?? 0).to.be.greaterThan(500);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-dag-views.png'), fullPage: true });

    await graph.first().click();
    await page.waitForURL(/\/dags\/demo_etl\/runs\/\d+\/tasks\/extract$/);
    await page.locator('.crumbs a', { hasText: /^run / }).click();
    await page.locator('#gantt svg').waitFor();
    expect(await page.locator('#gantt .gantt-row').count()).to.equal(2);
    expect(await page.locator('#gantt rect.run-bar.state-success').count()).to.equal(2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-gantt.png'), fullPage: true });
  });

  it('raised no Content Security Policy violation on any page', () => {
    expect(cspViolations).to.deep.equal([]);
  });
});
