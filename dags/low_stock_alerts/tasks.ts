import {
  markLowStockAlertsNotified,
  markRecommendationsPublished,
  readUnnotifiedLowStockAlerts,
  readUnpublishedRecommendations,
  recordLowStockAlerts,
} from './store/index.js';
import type { TaskLogger } from '../../engine/index.js';
import { ANOMALY_QUIET_MS, resolveQuietAlerts } from '../../inventory/alerts/index.js';
import { topicNames, type Knex } from '../../platform/index.js';
import type { DagServices } from '../services.js';
import { count, countBySeverity, logInterval, severityText, step } from '../steps.js';
import { renderLowStockDigest } from './digest.js';

/** The interval a run checks: stock is judged at its end, against the cooldown before it. */
export interface CheckWindow {
  start: Date;
  asOf: Date;
  cooldownHours: number;
  runKey: string;
}

/**
 * check_low_stock: detects low stock at the interval end — opening, updating and resolving the
 * low-stock alerts, storing recommendations — then sweeps the stream's anomaly alerts that stayed
 * quiet for `ANOMALY_QUIET_MS` before it (pairs with no later event to resolve them on).
 */
export async function checkLowStock(knex: Knex, log: TaskLogger, window: CheckWindow) {
  const asOf = window.asOf.toISOString();
  logInterval(
    log,
    `stock as of ${asOf}, cooldown ${window.cooldownHours} h`,
    { start: window.start, end: window.asOf },
    { as_of: asOf, cooldown_hours: window.cooldownHours },
  );
  const found = await step(
    log,
    'detect',
    () => recordLowStockAlerts(knex, window),
    (r) => ({
      message:
        `${count(r.assessed, 'pair')} assessed, ${r.lowStock} low; ${count(r.newAlerts, 'new alert')} ` +
        `(${severityText(r.bySeverity)}), ${r.resolved} resolved, ${count(r.recommendations, 'reorder recommendation')}`,
      fields: {
        rows_read: r.assessed,
        rows_written: r.newAlerts + r.resolved + r.recommendations,
        assessed: r.assessed,
        low_stock: r.lowStock,
        new_alerts: r.newAlerts,
        by_severity: r.bySeverity,
        resolved: r.resolved,
        recommendations: r.recommendations,
      },
    }),
  );
  const quiet = await step(
    log,
    'sweep',
    () => resolveQuietAlerts(knex, { asOf: window.asOf }),
    (n) => ({
      message: `${count(n, 'anomaly alert')} resolved after ${ANOMALY_QUIET_MS / 3_600_000} h without a repeat`,
      fields: { rows_written: n, resolved_quiet: n },
    }),
  );
  return { asOf, ...found, resolvedQuiet: quiet };
}

/**
 * send_notifications: publishes unpublished reorder recommendations to reorder-events (keyed by
 * sku:warehouseId, with a stable recommendationId consumers can de-duplicate on), then e-mails
 * one digest of the alerts not yet e-mailed, leaving out those whose pair the stream's stock-out
 * alert has paged about already (one incident, one page). Publishing first means a failed e-mail retries
 * without publishing twice; the digest is marked sent only after the SMTP server took it.
 */
export async function sendLowStockNotifications(
  knex: Knex,
  log: TaskLogger,
  services: Pick<DagServices, 'config' | 'mailer' | 'producer'>,
  window: { start: Date; asOf: Date },
) {
  const asOf = window.asOf;
  logInterval(log, `notifications as of ${asOf.toISOString()}`, { start: window.start, end: asOf });
  const topic = topicNames(services.config).reorders;
  const published = await step(
    log,
    'publish',
    () => publishRecommendations(knex, services, topic),
    (r) => ({
      message: `${count(r.messages, 'reorder recommendation')} published to ${topic} in ${count(r.batches, 'batch', 'batches')}`,
      fields: { topic, rows_read: r.messages, messages: r.messages, batches: r.batches },
    }),
  );

  // A pair the stream's stock-out alert has paged about already is not paged again.
  const unnotified = await readUnnotifiedLowStockAlerts(knex);
  const alerts = unnotified.filter((a) => a.paged_by === null);
  const paged = unnotified.filter((a) => a.paged_by !== null);
  if (paged.length > 0) {
    await markLowStockAlertsNotified(knex, paged, new Date());
    log.info(
      `paged: ${count(paged.length, 'alert')} left out of the digest, paged already by the stream's stock-out alert`,
      { step: 'paged', already_paged: paged.length },
    );
  }
  let emailed = false;
  if (alerts.length > 0) {
    const digest = renderLowStockDigest(alerts, asOf);
    const counts = countBySeverity(alerts);
    await step(
      log,
      'email',
      async () => {
        await services.mailer.send(digest);
        await markLowStockAlertsNotified(knex, alerts, new Date());
      },
      () => ({
        message: `digest of ${count(alerts.length, 'alert')} (${severityText(counts)}) sent to ${count(services.config.ALERT_EMAIL_TO.length, 'recipient')}: ${digest.subject}`,
        fields: {
          rows_read: alerts.length,
          rows_written: alerts.length,
          alerts: alerts.length,
          by_severity: counts,
          recipients: services.config.ALERT_EMAIL_TO.length,
          subject: digest.subject,
        },
      }),
    );
    emailed = true;
  } else {
    log.info('email: no new alerts, no digest sent', { step: 'email', alerts: 0, recipients: 0 });
  }
  return { published: published.messages, alerts: alerts.length, emailed };
}

/** Drains the reorder-recommendation outbox to `topic` in batches of 1,000. */
async function publishRecommendations(
  knex: Knex,
  services: Pick<DagServices, 'producer'>,
  topic: string,
): Promise<{ messages: number; batches: number }> {
  let messages = 0;
  let batches = 0;
  for (;;) {
    const batch = await readUnpublishedRecommendations(knex, 1000);
    if (batch.length === 0) break;
    await services.producer.send({
      topic,
      messages: batch.map((r) => ({
        key: `${r.sku}:${r.warehouse_id}`,
        value: JSON.stringify({
          recommendationId: r.recommendation_id,
          sku: r.sku,
          warehouseId: r.warehouse_id,
          asOf: r.as_of.toISOString(),
          severity: r.severity,
          quantityAvailable: r.quantity_available,
          reorderPoint: r.reorder_point,
          reorderQuantity: r.reorder_quantity,
          stockoutRisk: r.stockout_risk,
          source: 'low_stock_alerts',
        }),
        headers: { 'x-recommendation-id': r.recommendation_id },
      })),
    });
    await markRecommendationsPublished(
      knex,
      batch.map((r) => r.recommendation_id),
      new Date(),
    );
    messages += batch.length;
    batches++;
  }
  return { messages, batches };
}
