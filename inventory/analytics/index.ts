/**
 * Inventory analytics (SPEC §5): pure metric functions, one definition shared by the DAGs and
 * the streaming sidecar. The set-based SQL in db/analytics/ computes the same numbers; a test
 * holds the two to each other.
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
