/**
 * The five inventory DAGs (SPEC §6) and what their tasks need. The CLI and the scheduler load
 * `dags`; a worker builds `createDagServices(config, logger)` once and hands it to every task as
 * `ctx.services.inventory`.
 */
import type { Dag } from '../orchestrator/index.js';
import { dailyInventoryEtl } from './daily_inventory_etl.js';
import { hourlyTransactionAggregation } from './hourly_transaction_aggregation.js';
import { lowStockAlerts } from './low_stock_alerts.js';
import { dataQuality } from './data_quality.js';
import { weeklySummary } from './weekly_summary.js';

export { createDagServices, inventoryServices, type DagServices } from './services.js';
export { archivePath } from './daily/parquetArchive.js';
export { metricsCacheKey, METRICS_CACHE_TTL_S } from './daily/metricsCache.js';
export { DataQualityGateError } from './daily/tasks.js';

/** Every DAG of wareflow, in the order `dags list` shows them. */
export const dags: readonly Dag[] = [
  dailyInventoryEtl,
  hourlyTransactionAggregation,
  lowStockAlerts,
  weeklySummary,
  dataQuality,
];

export { dailyInventoryEtl, hourlyTransactionAggregation, lowStockAlerts, weeklySummary, dataQuality };
