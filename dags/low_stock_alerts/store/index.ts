/** SQL of the low-stock check: record the alerts, then read and mark what was sent. */
export { recordLowStockAlerts, LOW_STOCK_SOURCE } from './recordLowStockAlerts.js';
export {
  readUnnotifiedLowStockAlerts,
  markLowStockAlertsNotified,
  readUnpublishedRecommendations,
  markRecommendationsPublished,
  type LowStockAlertRow,
  type ReorderRecommendationRow,
} from './lowStockNotifications.js';
export {
  listReorderRecommendations,
  type ReorderFilter,
  type ReorderRecommendationView,
} from './listReorderRecommendations.js';
