import {
  markLowStockAlertsNotified,
  markRecommendationsPublished,
  readUnnotifiedLowStockAlerts,
  readUnpublishedRecommendations,
  recordLowStockAlerts,
} from './store/index.js';
import { topicNames, type Knex } from '../../platform/index.js';
import type { DagServices } from '../services.js';
import { renderLowStockDigest } from './digest.js';

/** check_low_stock: detects low stock at the interval end and stores new alerts and recommendations. */
export async function checkLowStock(
  knex: Knex,
  options: { asOf: Date; cooldownHours: number; runKey: string },
) {
  return { asOf: options.asOf.toISOString(), ...(await recordLowStockAlerts(knex, options)) };
}

/**
 * send_notifications: publishes unpublished reorder recommendations to reorder-events (keyed by
 * sku:warehouseId, with a stable recommendationId consumers can de-duplicate on), then e-mails
 * one digest of the alerts not yet e-mailed. Publishing first means a failed e-mail retries
 * without publishing twice; the digest is marked sent only after the SMTP server took it.
 */
export async function sendLowStockNotifications(
  knex: Knex,
  services: Pick<DagServices, 'config' | 'mailer' | 'producer'>,
  asOf: Date,
) {
  const topic = topicNames(services.config).reorders;
  let published = 0;
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
    published += batch.length;
  }

  const alerts = await readUnnotifiedLowStockAlerts(knex);
  let emailed = false;
  if (alerts.length > 0) {
    await services.mailer.send(renderLowStockDigest(alerts, asOf));
    await markLowStockAlertsNotified(
      knex,
      alerts.map((a) => a.id),
      new Date(),
    );
    emailed = true;
  }
  return { published, alerts: alerts.length, emailed };
}
