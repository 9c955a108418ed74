/**
 * Set-based SQL of the inventory DAGs: one module per operation, each one statement over all
 * SKU × warehouse pairs.
 */
export { writeDailySnapshots } from './writeDailySnapshots.js';
export { writeProcessedMetrics } from './writeProcessedMetrics.js';
export { countDailySalesMatrix, readDailySalesMatrix } from './dailySalesMatrix.js';
export { writeAggregatedMetrics } from './writeAggregatedMetrics.js';
export { readProcessedMetrics, type ProcessedMetricsRow } from './readProcessedMetrics.js';
export * from './quality/index.js';
export { stageTransactionAggregates } from './stageTransactionAggregates.js';
export { loadStagedAggregates } from './loadStagedAggregates.js';
export { refreshPairVelocity } from './refreshPairVelocity.js';
export { recordLowStockAlerts, LOW_STOCK_SOURCE } from './recordLowStockAlerts.js';
export {
  readUnnotifiedLowStockAlerts,
  markLowStockAlertsNotified,
  readUnpublishedRecommendations,
  markRecommendationsPublished,
  type LowStockAlertRow,
  type ReorderRecommendationRow,
} from './lowStockNotifications.js';
export { readWeekFigures, type WeekFigures, type Mover } from './readWeekFigures.js';
export { writeWeeklySummary } from './writeWeeklySummary.js';
