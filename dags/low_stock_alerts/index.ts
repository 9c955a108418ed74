import { z } from 'zod';
import { defineDag, task } from '../../engine/index.js';
import { checkLowStock, sendLowStockNotifications } from './tasks.js';
import { inventoryServices } from '../services.js';
import { processedMetrics } from '../assets.js';

const DAG_ID = 'low_stock_alerts';

const params = z.object({
  /** No second alert for the same pair within this many hours unless its severity rises. @defaultValue 24 */
  cooldownHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 30)
    .default(24),
});

const check_low_stock = task(
  (ctx) =>
    checkLowStock(ctx.db, ctx.log, {
      start: ctx.dataIntervalStart,
      asOf: ctx.dataIntervalEnd,
      cooldownHours: ctx.params.cooldownHours,
      runKey: `${DAG_ID}:${ctx.dataIntervalStart.toISOString()}`,
    }),
  {
    params,
    inlets: [processedMetrics],
    description: 'Pairs at or below their reorder point or with stock-out risk ≥ 0.2; de-duplicated alerts',
  },
);

/**
 * Every six hours: low-stock alerts, one e-mail digest, reorder recommendations (SPEC §6) — and
 * as soon as the nightly ETL has written a day's processed metrics (an asset-triggered run over
 * that ETL run's interval, so the check reads the new metrics without waiting for the next 6 h).
 */
export const lowStockAlerts = defineDag({
  id: DAG_ID,
  schedule: '0 */6 * * *',
  onAssets: [processedMetrics],
  timezone: 'UTC',
  startDate: '2026-01-01T00:00:00Z',
  catchup: false,
  maxActiveRuns: 1,
  params,
  description: 'Low-stock detection, alert de-duplication, e-mail digest and reorder-events',
  tags: ['inventory', 'alerts'],
  defaultTaskOptions: { retries: 3, retryDelayMs: 10_000, timeoutMs: 10 * 60_000 },
  tasks: {
    check_low_stock,
    send_notifications: task(
      (ctx) =>
        sendLowStockNotifications(ctx.db, ctx.log, inventoryServices(ctx.services), {
          start: ctx.dataIntervalStart,
          asOf: ctx.dataIntervalEnd,
        }),
      { upstream: { check_low_stock }, description: 'Digest e-mail, reorder-events, alerts marked sent' },
    ),
  },
});

export {
  listReorderRecommendations,
  type ReorderFilter,
  type ReorderRecommendationView,
} from './store/index.js';
