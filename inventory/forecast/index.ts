/**
 * Demand forecast per (sku, warehouse) (SPEC §5 "Demand forecast"): damped additive
 * Holt-Winters with weekly seasonality on `daily_sales`, its band and lead-time total, the
 * seasonal-naive baseline, MASE and sMAPE, and the rolling-origin backtest. Pure functions; the
 * SQL that reads sales and stores forecasts is in store/.
 */
export {
  forecastDemand,
  BAND_LEVEL,
  TRAINING_DAYS,
  MIN_HOLT_WINTERS_DAYS,
  type DemandForecast,
  type ForecastModel,
  type LeadTimeDemand,
} from './forecastDemand.js';
export {
  fitHoltWinters,
  forecastFrom,
  GRID,
  BETA,
  SEASON,
  type HoltWintersFit,
  type HoltWintersParams,
  type HoltWintersState,
} from './holtWinters.js';
export { seasonalNaive, seasonalNaiveScale, mase, smape, smapeTerm } from './scores.js';
export {
  backtestPair,
  summariseBacktest,
  type BacktestOptions,
  type BacktestScores,
  type BacktestSummary,
  type PairBacktest,
  type SummaryScores,
} from './backtest.js';
export { cleanseSales, CLEANSE_K } from './cleanse.js';
export { forecastPairs } from './forecastPairs.js';
export { readDailySales, type PairSales } from './store/readDailySales.js';
export { readIncidentDays } from './store/incidentDays.js';
export { writeDemandForecasts, type PairForecast } from './store/writeDemandForecasts.js';
export {
  pairDemandForecast,
  type PairDemandForecast,
  type StoredForecast,
} from './store/pairDemandForecast.js';
export {
  forecastBacktest,
  type ForecastBacktestOptions,
  type ForecastBacktestReport,
} from './forecastBacktest.js';
