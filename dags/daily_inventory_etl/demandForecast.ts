import {
  forecastPairs,
  readDailySales,
  TRAINING_DAYS,
  writeDemandForecasts,
} from '../../inventory/forecast/index.js';
import type { Knex } from '../../platform/index.js';

/**
 * The demand forecast of every pair (of one warehouse with `warehouseId`) made at the end of day D
 * (SPEC §5 "Demand forecast"): the daily sales of the TRAINING_DAYS days up to D in one
 * statement, the models fitted here, and day D's forecasts replaced in one transaction, so a rerun
 * stores the same rows.
 */
export async function writeDayForecasts(knex: Knex, day: string, warehouseId?: string) {
  let started = performance.now();
  const only = warehouseId === undefined ? {} : { warehouseId };
  const sales = await readDailySales(knex, { to: day, days: TRAINING_DAYS, ...only });
  const readMs = performance.now() - started;
  const { forecasts, models, ms: fitMs } = forecastPairs(sales);
  started = performance.now();
  const written = await writeDemandForecasts(knex, day, forecasts, only);
  const writeMs = performance.now() - started;
  return {
    ...written,
    models,
    read_ms: Math.round(readMs),
    fit_ms: Math.round(fitMs),
    fit_us_per_pair: sales.length ? Math.round((fitMs * 1000) / sales.length) : 0,
    write_ms: Math.round(writeMs),
  };
}
