/**
 * Inventory analytics (SPEC §5): pure metric functions, one definition shared by the DAGs and
 * the streaming sidecar. `sql/` holds the same statistics as SQL fragments, which the DAGs'
 * set-based statements embed; a spec holds the two to each other.
 */
export { computeMetrics, WINDOW_DAYS, type Metrics, type MetricsInput } from './metrics.js';
export { velocity, volatility, trend, seasonalityIndex } from './velocity.js';
export {
  expectedDailyDemand,
  leadTimeSigma,
  stockoutRisk,
  safetyStock,
  alertSeverity,
  compareSeverity,
  type AlertSeverity,
} from './risk.js';
export { normalCdf, Z_95 } from './normal.js';
export { dayStart, dayEnd, utcDate, RESERVATION_TYPES_SQL } from './sql/days.js';
export { salesStatsCtes, type SalesStatsOptions } from './sql/salesStats.js';
export { onOrderCte } from './sql/onOrder.js';
export { settleReceivedOrders } from './store/settleReceivedOrders.js';
export { oldestOpenOrder } from './store/oldestOpenOrder.js';
export {
  leadTimeDemand,
  stockoutZ,
  calibrated,
  stockoutProbability,
  calibrationParams,
  LEAD_TIME_DEMAND_SQL,
  STOCKOUT_Z_SQL,
  calibratedSql,
  STOCKOUT_CALIBRATION,
  Z_LIMIT,
  type StockPosition,
  type LeadTimeDemand,
  type StockoutCalibration,
} from './stockoutProbability.js';
export {
  brierScore,
  baseRate,
  baselineBrierScore,
  reliabilityBinOf,
  reliabilityTable,
  calibrationReport,
  type ForecastCase,
  type ReliabilityBin,
  type CalibrationReport,
} from './calibration.js';
