/**
 * The five inventory DAGs (SPEC §6), the supplier stock importer, the maintenance DAG of the
 * partitioned tables, and what their tasks need. The CLI and the scheduler load
 * `dags`; a worker builds `createDagServices(config, logger)` once and hands it to every task as
 * `ctx.services.inventory`.
 */
import type { Dag } from '../engine/index.js';
import { dailyInventoryEtl } from './daily_inventory_etl/index.js';
import { hourlyTransactionAggregation } from './hourly_transaction_aggregation/index.js';
import { lowStockAlerts } from './low_stock_alerts/index.js';
import { dataQuality } from './data_quality/index.js';
export {
  listReorderRecommendations,
  type ReorderFilter,
  type ReorderRecommendationView,
} from './low_stock_alerts/index.js';
export {
  KPIS,
  KPI_LABELS,
  formatChange,
  formatKpi,
  listWeeklySummaries,
  readWeeklySummary,
  type Kpi,
  type WeeklyMetrics,
  type WeeklyReport,
  type WeeklySummary,
} from './weekly_summary/index.js';
import { weeklySummary } from './weekly_summary/index.js';
import { supplierStockImport } from './supplier_stock_import/index.js';
import { maintenance } from './maintenance/index.js';
export {
  planRetention,
  retentionCutoff,
  monthsToKeepReady,
  ledgerTotalsMonth,
  createPartitions,
  archiveExpired,
  verifyArchives,
  dropExpired,
  monthArchiveDir,
  readMonthArchive,
  ArchiveMismatchError,
  MONTHS_AHEAD,
  type RetentionPlan,
  type RetentionSettings,
} from './maintenance/index.js';

export { createDagServices, inventoryServices, type DagServices } from './services.js';
export { archivePath } from './daily_inventory_etl/parquetArchive.js';
export { metricsCacheKey, METRICS_CACHE_TTL_S } from '../inventory/metricsCache/index.js';
export { DataQualityGateError } from './daily_inventory_etl/tasks.js';
export {
  RULE_GROUPS,
  listDataQualityResults,
  listDataQualityRuns,
  type RuleGroup,
  type DataQualityFilter,
  type DataQualityResultRow,
  type DataQualityRunRow,
} from './data_quality/index.js';

/** Every DAG of wareflow, in the order `dags list` shows them: the five of SPEC §6, then housekeeping. */
export const dags: readonly Dag[] = [
  dailyInventoryEtl,
  hourlyTransactionAggregation,
  lowStockAlerts,
  weeklySummary,
  dataQuality,
  supplierStockImport,
  maintenance,
];

export {
  dailyInventoryEtl,
  hourlyTransactionAggregation,
  lowStockAlerts,
  weeklySummary,
  dataQuality,
  supplierStockImport,
  maintenance,
};
