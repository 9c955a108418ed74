import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from '../../platform/index.js';
import type { TaskLogger } from '../../engine/index.js';
import { writeDailySnapshots, writeProcessedMetrics } from '../../dags/daily_inventory_etl/store/index.js';
import { writeDayForecasts } from '../../dags/daily_inventory_etl/demandForecast.js';
import { recordLowStockAlerts } from '../../dags/low_stock_alerts/store/index.js';
import { aggregateWeek, buildReport, computeWeekly } from '../../dags/weekly_summary/tasks.js';
import { addDays, at, seedRandomHistory, type RandomHistory } from '../dags/fixtures.js';

/** The DAG tasks' log lines are not what these specs are about. */
const quiet: TaskLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** The last day of the seeded history: a Sunday, so the two weeks before it are whole. */
export const LAST_DAY = '2026-03-29';
/** Days of history, and how many of them (the last ones) the daily ETL has processed. */
export const HISTORY_DAYS = 60;
export const PROCESSED_DAYS = 40;
/** The ISO weeks summarised, oldest first. */
export const WEEKS = ['2026-03-16', '2026-03-23'];

export interface WarehouseData extends RandomHistory {
  /** The instant check_low_stock ran for. */
  checkedAt: Date;
  recommendations: number;
}

/**
 * A warehouse as the DAGs leave it, written by their own statements: 6 SKUs × 2 warehouses of
 * random history, the daily ETL's snapshots and processed metrics for the last 40 days (and its
 * demand forecasts for the last two), one
 * low-stock check the morning after, and the weekly summaries of the last two weeks.
 */
export async function seedWarehouse(knex: Knex): Promise<WarehouseData> {
  const history = await seedRandomHistory(knex, {
    skus: 6,
    warehouses: 2,
    days: HISTORY_DAYS,
    lastDay: LAST_DAY,
    seed: 16,
  });
  for (let d = PROCESSED_DAYS - 1; d >= 0; d--) {
    const day = addDays(LAST_DAY, -d);
    await writeDailySnapshots(knex, day);
    await writeProcessedMetrics(knex, day);
  }
  // The demand forecasts of the last two days: the pair page shows the newest.
  for (const day of [addDays(LAST_DAY, -1), LAST_DAY]) await writeDayForecasts(knex, day);
  const checkedAt = at(addDays(LAST_DAY, 1), 6);
  const { recommendations } = await recordLowStockAlerts(knex, {
    asOf: checkedAt,
    cooldownHours: 24,
    runKey: `low_stock_alerts:${checkedAt.toISOString()}`,
  });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-reports-'));
  try {
    for (const week of WEEKS)
      await buildReport(
        knex,
        quiet,
        dataDir,
        await computeWeekly(quiet, await aggregateWeek(knex, quiet, week)),
      );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return { ...history, checkedAt, recommendations };
}
