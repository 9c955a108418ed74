import { expect } from 'chai';
import { STOCKOUT_ALERT_AT } from '../../inventory/alerts/index.js';
import { normalCdf, stockoutProbability, Z_95 } from '../../inventory/analytics/index.js';
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
const LEAD = 2;

/**
 * A processed_metrics row with μ and σ_L chosen so the outcome is worked by hand, planned (as the
 * ETL plans it) on a forecast of the lead time's demand equal to μL ± σ_L.
 */
function metrics(sku: string, mu: number, sigmaL: number) {
  const safety = Z_95 * sigmaL;
  return {
    sku,
    warehouse_id: 'W1',
    as_of_date: METRICS_DAY,
    quantity_on_hand: 0,
    quantity_reserved: 0,
    velocity_7d: mu,
    velocity_30d: mu,
    volatility: sigmaL / Math.sqrt(LEAD),
    trend: 0,
    seasonality_index: 1,
    expected_daily_demand: mu,
    stockout_risk: 0,
    days_of_cover: null,
    safety_stock: safety,
    reorder_point: mu * LEAD + safety,
    reorder_quantity: 0,
    lead_time_demand_mean: mu * LEAD,
    lead_time_demand_sigma: sigmaL,
  };
}

/** The stored forecast behind a metrics row: trained on twelve weeks of sales. */
function forecast(sku: string, mu: number, sigmaL: number) {
  return {
    sku,
    warehouse_id: 'W1',
    as_of_date: METRICS_DAY,
    lead_time_days: LEAD,
    mean: mu * LEAD,
    sigma: sigmaL,
    model: 'holt_winters',
    training_days: 84,
    band_level: 0.8,
    daily_mean: [mu, mu],
    daily_lower: [mu, mu],
    daily_upper: [mu, mu],
  };
}

/** The calibrated probability of `available` units against demand μL ± σ_L over the lead time. */
const probability = (available: number, mu: number, sigmaL: number) =>
  stockoutProbability(
    { available, onOrder: 0, daysToNextReceipt: null, leadTimeDays: LEAD },
    { mean: mu * LEAD, sigma: sigmaL },
  );

/** The most units available at which the probability is still at least `p` (μ 3, σ_L 2). */
function availableAtLeast(p: number): number {
  let n = 100;
  while (n > 0 && probability(n, 3, 2) < p) n--;
  return n;
}

/** The demand of each pair: [μ, σ_L]. */
const DEMAND: Record<string, [number, number]> = { A: [5, 0], B: [1, 0], C: [2, 0], D: [2, 4], E: [3, 2] };
/** E: at or below its reorder point (9.29) with a probability between 0.2 and the alert threshold. */
const E_AVAILABLE = (() => {
  let n = 9;
  while (probability(n, 3, 2) < 0.2) n--;
  return n;
})();

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
      ['A', 'B', 'C', 'D', 'E'].map((sku) => ({ sku, lead_time_days: LEAD })),
    );
    await insertWarehouses(db.knex, ['W1']);
    const pairs = ['A', 'B', 'C', 'D', 'E'];
    await db.knex('analytics.processed_metrics').insert(pairs.map((p) => metrics(p, ...DEMAND[p]!)));
    await db.knex('analytics.lead_time_demand').insert(pairs.map((p) => forecast(p, ...DEMAND[p]!)));
    // A: ROP 10, available 3: certain stock-out, z at its limit, p at the calibration's top → high.
    // B: ROP 2, available 100: fine. C: available 0 → critical.
    // D: ROP 10.58, available 14: p < 0.2, above its reorder point → fine.
    // E: at its reorder point with p in [0.2, 0.7) → medium: reorder, no alert.
    await db.knex('inventory.inventory_levels').insert(
      Object.entries({ A: 3, B: 100, C: 0, D: 14, E: E_AVAILABLE }).map(([sku, onHand]) => ({
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
    // E is due to reorder (medium, under the alert threshold): its planner gets a recommendation,
    // nobody gets an alert.
    expect(await alertRows()).to.have.deep.members([
      { sku: 'A', severity: 'high' },
      { sku: 'C', severity: 'critical' },
    ]);
    const e = await db.knex('analytics.reorder_recommendations').where({ sku: 'E' }).first();
    // ceil(reorder point 6 + 1.645·2, plus 7 days of 3, less the position)
    expect(e).to.include({
      severity: 'medium',
      reorder_quantity: Math.ceil(6 + Z_95 * 2 + 21 - E_AVAILABLE),
    });
    expect(e.stockout_risk).to.be.closeTo(1 - normalCdf((E_AVAILABLE - 6) / 2), 1e-6);
    expect(probability(E_AVAILABLE, 3, 2)).to.be.within(0.2, STOCKOUT_ALERT_AT);
    const a = await db.knex('analytics.alerts').where({ sku: 'A' }).first();
    expect(a.details.stockout_probability).to.be.at.least(STOCKOUT_ALERT_AT);
  });

  it('e-mails one digest with an HTML table and a plain-text part to the configured recipients', async () => {
    await waitFor('the digest', () => smtp.mails.length >= 1);
    expect(smtp.mails).to.have.length(1);
    const mail = smtp.mails[0]!;
    expect(mail.to).to.have.members(['team@test.local', 'buyer@test.local']);
    expect(mail.subject).to.equal('[wareflow] Low stock: 2 items (1 critical, 1 high)');
    expect(mail.raw).to.include('Content-Type: text/plain');
    expect(mail.raw).to.include('Content-Type: text/html');
    const c = `${(100 * probability(0, 2, 0)).toFixed(1)} %`;
    expect(mail.raw).to.include(`CRITICAL | C | W1 | 0 | 4.0 | ${c} | 18`);
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

  it('opens an alert once an item due to reorder reaches the alert threshold, and mails it', async () => {
    // Six hours later E has sold down to the most it may hold with a probability at the threshold.
    const sold = E_AVAILABLE - availableAtLeast(STOCKOUT_ALERT_AT);
    expect(availableAtLeast(STOCKOUT_ALERT_AT)).to.be.above(0);
    await insertTransactions(db.knex, [
      {
        sku: 'E',
        warehouse_id: 'W1',
        event_type: 'SALE',
        quantity_change: -sold,
        occurred_at: at(RUN_DAY, 8),
      },
    ]);
    await db.knex('inventory.inventory_levels').where({ sku: 'E' }).decrement('quantity_on_hand', sold);
    const result = await run(6);
    expect(result.outputs.check_low_stock).to.deep.include({ lowStock: 3, newAlerts: 1, resolved: 0 });
    expect(await alertRows()).to.have.length(3);
    const e = await db.knex('analytics.alerts').where({ sku: 'E' }).first();
    expect(e).to.include({ severity: 'high', occurrences: 1, resolved_at: null });
    expect(e.opened_at.toISOString()).to.equal(at(RUN_DAY, 12).toISOString());
    await waitFor('the second digest', () => smtp.mails.length >= 2);
    expect(smtp.mails[1]!.subject).to.equal('[wareflow] Low stock: 1 item (1 high)');
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
  it("leaves out of the digest a pair the stream's stock-out alert has paged about already", async () => {
    await insertProducts(db.knex, [{ sku: 'F', lead_time_days: LEAD }]);
    await db.knex('analytics.processed_metrics').insert(metrics('F', 2, 0));
    await db.knex('analytics.lead_time_demand').insert(forecast('F', 2, 0));
    await db.knex('inventory.inventory_levels').insert({
      sku: 'F',
      warehouse_id: 'W1',
      quantity_on_hand: 0,
      quantity_reserved: 0,
    });
    // The stream saw F run out an hour before the check and paged (critical is mailed).
    const [paging] = await db
      .knex('analytics.alerts')
      .insert({
        alert_type: 'STOCKOUT_RISK',
        severity: 'critical',
        source: 'streaming',
        sku: 'F',
        warehouse_id: 'W1',
        message: 'F at W1 has nothing available (0)',
        details: {},
        dedup_key: 'streaming:STOCKOUT_RISK:F:W1',
        opened_at: at('2026-06-16', 5),
        last_seen_at: at('2026-06-16', 5),
      })
      .returning('alert_id');
    const mails = smtp.mails.length;
    const result = await runDagLocally(
      lowStockAlerts,
      { db: db.knex, ...env },
      { start: at('2026-06-16', 0), end: at('2026-06-16', 6) },
    );
    expect(result.outputs.check_low_stock).to.deep.include({ newAlerts: 1 });
    expect(result.outputs.send_notifications).to.deep.include({ alerts: 0, emailed: false });
    const f = await db.knex('analytics.alerts').where({ sku: 'F', source: 'low_stock_alerts' }).first();
    expect(f).to.include({ severity: 'critical', resolved_at: null });
    expect(f.details.paged_by).to.equal(paging.alert_id);
    expect(f.details.notified_at).to.be.a('string');
    expect(stepLine(result, 'send_notifications', 'paged')).to.include({ already_paged: 1 });
    expect(smtp.mails).to.have.length(mails);
  });
});
