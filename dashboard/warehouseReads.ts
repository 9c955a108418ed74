import type {
  acknowledgeAlert,
  listAlertGroups,
  listAlerts,
  openAlertCounts,
} from '../inventory/alerts/index.js';
import type { pairDemandForecast } from '../inventory/forecast/index.js';
import type { computeFulfilmentMetrics, readDailyFulfilmentMetrics } from '../inventory/fulfilment/index.js';
import type {
  listDataQualityResults,
  listDataQualityRuns,
  listReorderRecommendations,
  listWeeklySummaries,
  readWeeklySummary,
} from '../dags/index.js';
import type {
  listStockLevels,
  pairLevelHistory,
  readPairStock,
  stockFacets,
} from '../inventory/stock/index.js';
import type {
  anomalyHistogram,
  listAnomalies,
  listFulfilmentWindows,
  listOpenWindows,
  listStreamWindows,
  streamThroughput,
} from '../streaming/index.js';

/** An owner's query `(db, ...args) => result` with its database handle already bound. */
export type Bound<Query> = Query extends (db: never, ...args: infer Args) => infer Result
  ? (...args: Args) => Result
  : never;

/**
 * The read port behind the alert, data-quality and stream pages and their /api routes. Each
 * query belongs to its owner (alerts to inventory/alerts, data quality to its DAG, windows and
 * anomalies to streaming); the composition root binds them to the database, so the dashboard
 * never holds a database handle for warehouse data.
 */
export interface WarehouseReads {
  /** Alerts, most severe then latest seen first. */
  listAlerts: Bound<typeof listAlerts>;
  /** Alerts grouped per pair with counts per type and the highest severity (the Alerts page). */
  listAlertGroups: Bound<typeof listAlertGroups>;
  /**
   * The port's one write: an operator acknowledging an open alert (the routes check the role and
   * CSRF before calling it).
   */
  acknowledgeAlert: Bound<typeof acknowledgeAlert>;
  /** Open alerts per severity. */
  openAlertCounts: Bound<typeof openAlertCounts>;
  /** Data-quality rule results, newest check first. */
  listDataQualityResults: Bound<typeof listDataQualityResults>;
  /** Data-quality check runs with their score, newest first. */
  listDataQualityRuns: Bound<typeof listDataQualityRuns>;
  /** Closed stream windows of one kind, newest first. */
  listStreamWindows: Bound<typeof listStreamWindows>;
  /** Events per closed window, oldest first. */
  streamThroughput: Bound<typeof streamThroughput>;
  /** Detected anomalies, newest first. */
  listAnomalies: Bound<typeof listAnomalies>;
  /** Anomalies per type and time bucket. */
  anomalyHistogram: Bound<typeof anomalyHistogram>;
  /** Stream windows still open, from the ledger, marked provisional; newest first. */
  listOpenWindows: Bound<typeof listOpenWindows>;
  /** Stock levels per pair with their newest metrics, fewest days of cover first. */
  listStockLevels: Bound<typeof listStockLevels>;
  /** Warehouses and categories the stock filters offer. */
  stockFacets: Bound<typeof stockFacets>;
  /** One pair's level, product and newest SPEC §5 metrics. */
  readPairStock: Bound<typeof readPairStock>;
  /** One pair's daily snapshots, oldest first. */
  pairLevelHistory: Bound<typeof pairLevelHistory>;
  /** One pair's daily sales and its newest stored demand forecast with its band. */
  pairDemandForecast: Bound<typeof pairDemandForecast>;
  /** Fulfilment metrics per warehouse and day (daily_inventory_etl), newest day first. */
  readDailyFulfilmentMetrics: Bound<typeof readDailyFulfilmentMetrics>;
  /** The fulfilment definition over any period, computed now (today so far). */
  computeFulfilmentMetrics: Bound<typeof computeFulfilmentMetrics>;
  /** The stream's fulfilment windows of one kind, newest first. */
  listFulfilmentWindows: Bound<typeof listFulfilmentWindows>;
  /** Reorder recommendations of low_stock_alerts, most urgent first. */
  listReorderRecommendations: Bound<typeof listReorderRecommendations>;
  /** Weekly summaries, newest first. */
  listWeeklySummaries: Bound<typeof listWeeklySummaries>;
  /** One weekly summary with its e-mailed report. */
  readWeeklySummary: Bound<typeof readWeeklySummary>;
}
