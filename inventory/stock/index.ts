/**
 * Stock as the warehouse team reads it: each pair's level now with the figures of its newest
 * processed metrics (reorder point, days of cover, SPEC §5), and its daily history. Read-only;
 * the levels are written by the event pipeline and the metrics by the daily ETL.
 */
export { listStockLevels, type StockFilter, type StockLevelRow } from './store/listStockLevels.js';
export { stockFacets, type StockFacets } from './store/stockFacets.js';
export { readPairStock, type PairMetrics, type PairStock } from './store/readPairStock.js';
export { pairLevelHistory, type PairLevelPoint } from './store/pairLevelHistory.js';
