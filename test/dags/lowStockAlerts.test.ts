import { expect } from 'chai';
import { Z_95 } from '../../inventory/analytics/index.js';
import { lowStockAlerts } from '../../dags/index.js';
import { topicNames } from '../../platform/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import { at, insertProducts, insertTransactions, insertWarehouses } from './fixtures.js';
import {
  createTestServices,
  runDagLocally,
  startSmtpServer,
  stepLine,
  type LocalRun,
  type TestServices,
} from './harness.js';
import { collectTopic, type CollectedMessage } from './kafka.js';

const METRICS_DAY = '2026-06-09';
const RUN_DAY = '2026-06-10';

/** A processed_metrics row with μ, σ_L and L chosen so the expected outcome is worked by hand. */
function metrics(sku: string, mu: number, sigmaL: number, lead: number) {
  const safety = Z_95 * sigmaL;
  return {
    sku,
    warehouse_id: 'W1',
    as_of_date: METRICS_DAY,
    quantity_on_hand: 0,
    quantity_reserved: 0,
    velocity_7d: mu,
    velocity_30d: mu,
    volatility: sigmaL / Math.sqrt(lead),
    trend: 0,
    seasonality_index: 1,
    expected_daily_demand: mu,
    stockout_risk: 0,
    days_of_cover: null,
    safety_stock: safety,
    reorder_point: mu * lead + safety,
    reorder_quantity: 0,
  };
}

describe('low_stock_alerts', () => {
  let db: TestDatabase;
  let env: TestServices;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let reorders: { messages: CollectedMessage[]; close(): Promise<void> };

  before(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpServer();
    env = await createTestServices({ databaseUrl: db.url, smtpUrl: smtp.url });
    reorders = await collectTopic(topicNames(env.services.config).reorders, env.logger);
    await insertProducts(
      db.knex,
      ['A', 'B', 'C', 'D', 'E'].map((sku) => ({ sku, lead_time_days: 2 })),
    );
    await insertWarehouses(db.knex, ['W1']);
    await db.knex('analytics.processed_metrics').insert([
      metrics('A', 5, 0, 2), // ROP 10, available 3: certain stock-out, z at its limit, p 0.71 → high
      metrics('B', 1, 0, 2), // ROP 2, available 100: fine
      metrics('C', 2, 0, 2), // available 0 → critical
      metrics('D', 2, 4, 2), // ROP 10.58, available 12: risk 1 − Φ(2) = 0.023 → fine
      metrics('E', 2, 4, 2), // available 6 ≤ ROP 10.58: z = −0.5, calibrated p 0.185 → low: reorder, no alert
    ]);
    await db.knex('inventory.inventory_levels').insert(
      Object.entries({ A: 3, B: 100, C: 0, D: 12, E: 6 }).map(([sku, onHand]) => ({
        sku,
        warehouse_id: 'W1',
        quantity_on_hand: onHand + 1,
        quantity_reserved: 1,
      })),
    );
  });
  after(async () => {
    await reorders?.close();
    await env?.close();
    await smtp?.close();
    await db?.drop();
  });

  const run = (startHour: number) =>
    runDagLocally(
      lowStockAlerts,
      { db: db.knex, ...env },
      { start: at(RUN_DAY, startHour), end: at(RUN_DAY, startHour + 6) },
    );
  const alertRows = () =>
    db.knex('analytics.alerts').where({ source: 'low_stock_alerts' }).orderBy('id').select('sku', 'severity');

  let first: LocalRun;
  it('alerts the items at risk and recommends reordering every item at or below its reorder point', async () => {
    const result = (first = await run(0));
    expect(result.failed).to.deep.equal({});
    expect(result.outputs.check_low_stock).to.deep.include({ lowStock: 3, newAlerts: 2, recommendations: 3 });
    // E is due to reorder (low): its planner gets a recommendation, nobody gets an alert.
    expect(await alertRows()).to.have.deep.members([
      { sku: 'A', severity: 'high' },
      { sku: 'C', severity: 'critical' },
    ]);
    const e = await db.knex('analytics.reorder_recommendations').where({ sku: 'E' }).first();
    expect(e).to.include({ severity: 'low', reorder_quantity: 19 }); // ceil(4 + 6.58 + 14 − 6)
    expect(e.stockout_risk).to.be.closeTo(0.3085375, 1e-6);
    const a = await db.knex('analytics.alerts').where({ sku: 'A' }).first();
    expect(a.details.stockout_probability).to.be.above(0.5);
  });

  it('e-mails one digest with an HTML table and a plain-text part to the configured recipients', async () => {
    await waitFor('the digest', () => smtp.mails.length >= 1);
    expect(smtp.mails).to.have.length(1);
    const mail = smtp.mails[0]!;
    expect(mail.to).to.have.members(['team@test.local', 'buyer@test.local']);
    expect(mail.subject).to.equal('[wareflow] Low stock: 2 items (1 critical, 1 high)');
    expect(mail.raw).to.include('Content-Type: text/plain');
    expect(mail.raw).to.include('Content-Type: text/html');
    expect(mail.raw).to.match(/CRITICAL \| C \| W1 \| 0 \| 4\.0 \| 71\.5 % \| 18/);
    expect(mail.raw).to.not.match(/<td>E<\/td>/);
  });

  it('publishes one reorder recommendation per new alert to reorder-events', async () => {
    await waitFor('three recommendations', () => reorders.messages.length >= 3);
    const byKey = Object.fromEntries(reorders.messages.map((m) => [m.key, m.value]));
    expect(Object.keys(byKey)).to.have.members(['A:W1', 'C:W1', 'E:W1']);
    expect(byKey['A:W1']).to.include({ reorderQuantity: 42, severity: 'high', quantityAvailable: 3 });
    expect(byKey['C:W1']).to.include({ reorderQuantity: 18, severity: 'critical' });
    expect(byKey['E:W1']!.recommendationId).to.equal('E:W1:2026-06-10T06:00:00Z');
  });

  it('logs the check window, the alerts by severity, the e-mail and the messages published', async () => {
    const asOf = at(RUN_DAY, 6).toISOString();
    expect(stepLine(first, 'check_low_stock', 'interval')).to.include({ as_of: asOf, cooldown_hours: 24 });
    expect(stepLine(first, 'send_notifications', 'interval')).to.include({ end: asOf });
    const { rows } = await db.knex.raw(
      `SELECT severity, count(*)::int AS n FROM analytics.alerts WHERE source = 'low_stock_alerts' GROUP BY 1`,
    );
    const bySeverity = Object.fromEntries(
      rows.map((r: { severity: string; n: number }) => [r.severity, r.n]),
    );
    const recommendations = await db.knex('analytics.reorder_recommendations').count({ n: '*' });
    const detect = stepLine(first, 'check_low_stock', 'detect');
    expect(detect).to.deep.include({
      assessed: 5,
      low_stock: 3,
      new_alerts: 2,
      by_severity: bySeverity,
      recommendations: Number(recommendations[0]!.n),
    });
    expect(detect.msg).to.match(/^detect: 5 pairs assessed, 3 low; 2 new alerts \(1 critical, 1 high\)/);
    expect(stepLine(first, 'send_notifications', 'publish')).to.include({
      messages: reorders.messages.length,
      batches: 1,
      topic: topicNames(env.services.config).reorders,
    });
    expect(stepLine(first, 'send_notifications', 'email')).to.deep.include({
      alerts: 2,
      recipients: smtp.mails[0]!.to.length,
      subject: smtp.mails[0]!.subject,
      by_severity: bySeverity,
    });
  });

  it('adds nothing, mails nothing and publishes nothing when the same interval runs again', async () => {
    const alerts = await db.knex('analytics.alerts').orderBy('id');
    const recs = await db.knex('analytics.reorder_recommendations').orderBy('recommendation_id');
    const result = await run(0);
    expect(result.outputs.check_low_stock).to.deep.include({ newAlerts: 0 });
    expect(result.outputs.send_notifications).to.deep.equal({ published: 0, alerts: 0, emailed: false });
    expect(stepLine(result, 'send_notifications', 'publish')).to.include({ messages: 0 });
    expect(stepLine(result, 'send_notifications', 'email')).to.include({ alerts: 0, recipients: 0 });
    expect(await db.knex('analytics.alerts').orderBy('id')).to.deep.equal(alerts);
    expect(await db.knex('analytics.reorder_recommendations').orderBy('recommendation_id')).to.deep.equal(
      recs,
    );
    expect(smtp.mails).to.have.length(1);
  });

  it('opens an alert once an item due to reorder comes at risk, and mails it', async () => {
    // Six hours later E has sold 4 more: available 2, z = 0.5, calibrated p 0.393 → medium.
    await insertTransactions(db.knex, [
      { sku: 'E', warehouse_id: 'W1', event_type: 'SALE', quantity_change: -4, occurred_at: at(RUN_DAY, 8) },
    ]);
    await db.knex('inventory.inventory_levels').where({ sku: 'E' }).decrement('quantity_on_hand', 4);
    const result = await run(6);
    expect(result.outputs.check_low_stock).to.deep.include({ lowStock: 3, newAlerts: 1, resolved: 0 });
    expect(await alertRows()).to.have.length(3);
    const e = await db.knex('analytics.alerts').where({ sku: 'E' }).first();
    expect(e).to.include({ severity: 'medium', occurrences: 1, resolved_at: null });
    expect(e.opened_at.toISOString()).to.equal(at(RUN_DAY, 12).toISOString());
    await waitFor('the second digest', () => smtp.mails.length >= 2);
    expect(smtp.mails[1]!.subject).to.equal('[wareflow] Low stock: 1 item (1 medium)');
    await waitFor('the fourth recommendation', () => reorders.messages.length >= 4);
  });

  it('keeps updating the open alerts on later runs, recommending again once the cooldown has passed', async () => {
    const mails = smtp.mails.length;
    const result = await runDagLocally(
      lowStockAlerts,
      { db: db.knex, ...env },
      { start: at('2026-06-11', 6), end: at('2026-06-11', 12), conf: { cooldownHours: 12 } },
    );
    expect(result.failed).to.deep.equal({});
    expect(result.outputs.check_low_stock).to.deep.include({ newAlerts: 0, recommendations: 3 });
    expect(result.outputs.send_notifications).to.deep.include({ alerts: 0, emailed: false });
    expect(await alertRows()).to.have.length(3);
    expect(smtp.mails).to.have.length(mails);
  });

  it('resolves an alert only once stock is back above its reorder point with margin, and re-opens a new one', async () => {
    // A: μ 5, σ 0, L 2 → reorder point 10; it clears above 10 + max(1, 10 %) = 11.
    const setAvailable = (n: number) =>
      db
        .knex('inventory.inventory_levels')
        .where({ sku: 'A' })
        .update({ quantity_on_hand: n + 1 });
    const runAt = (day: string) =>
      runDagLocally(lowStockAlerts, { db: db.knex, ...env }, { start: at(day, 0), end: at(day, 6) });
    const aRows = () => db.knex('analytics.alerts').where({ sku: 'A' }).orderBy('id');
    const mails = smtp.mails.length;

    await setAvailable(11); // above the reorder point, not by the margin: stays open
    expect((await runAt('2026-06-12')).outputs.check_low_stock).to.deep.include({ resolved: 0 });
    await setAvailable(10); // at it again: a repeat of the same incident, no mail
    expect((await runAt('2026-06-13')).outputs.check_low_stock).to.deep.include({ newAlerts: 0 });
    expect(await aRows()).to.have.length(1);

    await setAvailable(12); // cleared with margin
    const cleared = await runAt('2026-06-14');
    expect(cleared.outputs.check_low_stock).to.deep.include({ resolved: 1 });
    const [resolved] = await aRows();
    expect(resolved).to.include({ resolution: 'cleared', severity: 'high' });
    expect(resolved.resolved_at.toISOString()).to.equal(at('2026-06-14', 6).toISOString());
    expect(smtp.mails).to.have.length(mails);

    await setAvailable(3); // low again: a new incident, mailed once
    const again = await runAt('2026-06-15');
    expect(again.outputs.check_low_stock).to.deep.include({ newAlerts: 1 });
    const rows = await aRows();
    expect(rows.map((r) => r.resolved_at === null)).to.deep.equal([false, true]);
    await waitFor('the digest of the new incident', () => smtp.mails.length >= mails + 1);
    expect(smtp.mails[mails]!.subject).to.equal('[wareflow] Low stock: 1 item (1 high)');
  });
});
