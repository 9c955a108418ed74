import { mkdirSync } from 'node:fs';
import { openBrowser, requireChromium } from '../support/browser.js';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startServer, PUBLIC_READ, type TestServer } from './server.js';
import { PROCESSED_DAYS, seedWarehouse, WEEKS } from './warehouseData.js';

const ARTIFACTS = path.resolve('artifacts');

/**
 * The warehouse pages in a real Chromium: from the stock list to a pair's chart, and a weekly
 * report framed as it was e-mailed. Any CSP violation on our pages fails the test.
 */
describe('warehouse pages in a real browser', function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let cspViolations: string[] = [];

  before(async function () {
    requireChromium(this, 'the warehouse browser test');
    mkdirSync(ARTIFACTS, { recursive: true });
    s = await startServer({ env: PUBLIC_READ });
    await seedWarehouse(s.harness.db.knex);
    ({ browser, page, cspViolations } = await openBrowser());
  });

  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('filters the stock list, follows a pair link and sees the level chart with a point per day', async () => {
    await page.goto(`${s.url}/stock`);
    await page.getByRole('link', { name: 'Stock' }).first().waitFor();
    await page.locator('select[name="warehouse_id"]').selectOption('WH-2');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/warehouse_id=WH-2/);
    const rows = page.locator('#stock-table tbody tr');
    expect(await rows.count()).to.equal(6);
    const first = rows.first().locator('a.pair-link');
    const sku = (await first.textContent())!.trim();
    await first.click();
    await page.waitForURL(new RegExp(`/stock/WH-2/${sku}$`));
    expect(await page.locator('h1').textContent()).to.include(sku);

    const line = page.locator('figure.level-chart svg polyline[data-series="on_hand"]');
    await line.waitFor();
    const points = (await line.getAttribute('points'))!.trim().split(/\s+/);
    expect(points).to.have.length(PROCESSED_DAYS);
    for (const p of points) expect(p).to.match(/^\d+(\.\d)?,\d+(\.\d)?$/);
    expect(await page.locator('figure.level-chart svg circle').count()).to.equal(PROCESSED_DAYS);
    const box = await page.locator('figure.level-chart svg').boundingBox();
    expect(box!.width).to.be.greaterThan(400);
    expect(await page.locator('#pair-metrics').textContent()).to.include('Reorder point');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-pair.png'), fullPage: true });
  });

  it('shows a weekly report in its sandboxed frame, with the week-over-week table', async () => {
    await page.goto(`${s.url}/reports`);
    await page.getByRole('link', { name: new RegExp(`^${WEEKS[1]}`) }).click();
    await page.waitForURL(new RegExp(`/reports/weekly/${WEEKS[1]}$`));
    expect(await page.locator('#week-comparison tbody tr').count()).to.equal(9);
    const frame = page.frameLocator('#report-frame');
    await frame.getByText('Weekly inventory summary').waitFor();
    expect(await frame.locator('svg rect').count()).to.equal(7);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-weekly-report.png'), fullPage: true });
  });

  it('lists reorder recommendations with an order-by and a quantity', async () => {
    await page.goto(`${s.url}/reorders`);
    const rows = page.locator('#reorders-table tbody tr');
    expect(await rows.count()).to.be.greaterThan(0);
    expect(await rows.first().locator('td').nth(4).textContent()).to.match(/\d/);
  });

  it('raised no Content Security Policy violation', () => {
    expect(cspViolations).to.deep.equal([]);
  });
});
