/**
 * Backtests of the analytics against the history they forecast (issue 17): the cases are read
 * here, in SQL; the scores are the pure functions of inventory/analytics (calibration.ts); the
 * stock-out probability's calibration is fitted here (fitCalibration.ts).
 */
export { stockoutCases, type StockoutCase } from './store/stockoutCases.js';
export { fitIsotonic, zOfCase, type ZCase } from './fitCalibration.js';
