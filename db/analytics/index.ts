/**
 * Set-based SQL of the inventory DAGs: one module per operation, each one statement over all
 * SKU × warehouse pairs.
 */
export { writeDailySnapshots } from './writeDailySnapshots.js';
export { writeProcessedMetrics } from './writeProcessedMetrics.js';
export { countDailySalesMatrix, readDailySalesMatrix } from './dailySalesMatrix.js';
