/** SQL of the daily ETL: one module per operation, each one statement over all SKU × warehouse pairs. */
export { writeDailySnapshots } from './writeDailySnapshots.js';
export { writeProcessedMetrics } from './writeProcessedMetrics.js';
export { countDailySalesMatrix, readDailySalesMatrix } from './dailySalesMatrix.js';
export { writeAggregatedMetrics } from './writeAggregatedMetrics.js';
export { readProcessedMetrics, type ProcessedMetricsRow } from './readProcessedMetrics.js';
export { newestMetricsDay } from './newestMetricsDay.js';
export { dayWarehouses } from './dayWarehouses.js';
