import { forecastDemand, type ForecastModel } from './forecastDemand.js';
import type { PairSales } from './store/readDailySales.js';
import type { PairForecast } from './store/writeDemandForecasts.js';

/**
 * The forecast of every pair over its product's lead time, from the daily sales read for a day.
 * Also counts the models used and the time the fitting took (ms, and per pair).
 */
export function forecastPairs(pairs: readonly PairSales[]): {
  forecasts: PairForecast[];
  models: Record<ForecastModel, number>;
  ms: number;
} {
  const started = performance.now();
  const models: Record<ForecastModel, number> = { holt_winters: 0, mean: 0, zero: 0 };
  const forecasts = pairs.map((p) => {
    const forecast = forecastDemand(p.sales, p.lead_time_days);
    models[forecast.model]++;
    return { sku: p.sku, warehouse_id: p.warehouse_id, lead_time_days: p.lead_time_days, forecast };
  });
  return { forecasts, models, ms: performance.now() - started };
}
