import {
  dayWarehouses,
  newestMetricsDay,
  readProcessedMetrics,
  type ProcessedMetricsRow,
  writeAggregatedMetrics,
  writeDailySnapshots,
  writeProcessedMetrics,
} from './store/index.js';
import { QUALITY_RULES, DEFAULT_RULE_PARAMS, writeQualityRun } from '../data_quality/store/index.js';
import { checkRules } from '../data_quality/checkRules.js';
import type { TaskLogger } from '../../engine/index.js';
import { PermanentTaskError, type Knex } from '../../platform/index.js';
import { addDays, startOfDay } from '../interval.js';
import type { DagServices } from '../services.js';
import { count, logInterval, step } from '../steps.js';
import { writeMetricsCache, type CachedMetrics } from '../../inventory/metricsCache/index.js';
import { writeMetricsArchive } from './parquetArchive.js';
import { writeDayForecasts } from './demandForecast.js';

/** Day D as the tasks log it: the UTC day whose end-of-day stock they compute. */
function logDay(log: TaskLogger, day: string): void {
  logInterval(log, `day ${day}`, { start: startOfDay(day), end: startOfDay(addDays(day, 1)) }, { day });
}

/** extract_inventory_data: the end-of-day snapshot of every pair for day D. */
export async function extractInventoryData(knex: Knex, log: TaskLogger, day: string) {
  logDay(log, day);
  const snapshots = await step(
    log,
    'snapshots',
    () => writeDailySnapshots(knex, day),
    (r) => ({
      message: `${count(r.pairs, 'pair')} written for ${day}, ${r.changed} changed, ${r.deleted} deleted; ${count(r.transactions, 'transaction')} of the day read`,
      fields: { day, rows_read: r.transactions, rows_written: r.pairs, ...r },
    }),
  );
  return { day, pairs: snapshots.pairs, changed: snapshots.changed };
}

/** A processed-metrics row as the metric cache holds it. */
function cacheEntryOf(row: ProcessedMetricsRow, updatedAt: string): CachedMetrics {
  return { ...row, source: 'daily_etl', updated_at: updatedAt };
}

/** list_warehouses: the warehouses of day D, one transform_warehouse instance each. */
export async function listWarehouses(knex: Knex, log: TaskLogger, day: string): Promise<string[]> {
  logDay(log, day);
  return step(
    log,
    'warehouses',
    () => dayWarehouses(knex, day),
    (w) => ({
      message: `${count(w.length, 'warehouse')} for ${day}: ${w.join(', ')}`,
      fields: { day, warehouses: w },
    }),
  );
}

/**
 * transform_warehouse (one instance per warehouse): the demand forecast of each of its pairs for
 * D, then processed_metrics of the warehouse for D (SQL, planned on that forecast). Every figure of a pair comes
 * from that pair's own rows, so the warehouses together write the rows a run over all of them did.
 */
export async function transformWarehouse(knex: Knex, log: TaskLogger, day: string, warehouseId: string) {
  logDay(log, day);
  // The forecast first: the metrics' stock-out probability and reorder figures are planned on it.
  const forecast = await step(
    log,
    'forecast',
    () => writeDayForecasts(knex, day, warehouseId),
    (r) => ({
      message: `${count(r.pairs, 'pair')} of ${warehouseId} forecast for ${day} (${r.models.holt_winters} Holt-Winters, ${r.models.mean} mean, ${r.models.zero} zero; ${r.fit_us_per_pair} µs per pair), ${count(r.rows, 'daily row')} written, ${r.replaced} replaced`,
      fields: { day, warehouse_id: warehouseId, rows_read: r.pairs, rows_written: r.pairs + r.rows, ...r },
    }),
  );
  const metrics = await step(
    log,
    'processed metrics',
    () => writeProcessedMetrics(knex, day, warehouseId),
    (r) => ({
      message: `${count(r.pairs, 'pair')} of ${warehouseId} for ${day} from as many snapshots, ${r.changed} changed, ${r.deleted} deleted`,
      fields: { day, warehouse_id: warehouseId, rows_read: r.pairs, rows_written: r.pairs, ...r },
    }),
  );
  return { day, warehouse_id: warehouseId, ...metrics, forecast };
}

export type WarehouseTransform = Awaited<ReturnType<typeof transformWarehouse>>;

/** The transforms of D's warehouses added up, as the lines of a run over all of them read. */
function totals(day: string, transforms: readonly WarehouseTransform[]) {
  const sum = (f: (t: WarehouseTransform) => number) => transforms.reduce((n, t) => n + f(t), 0);
  const pairs = sum((t) => t.pairs);
  const fitMs = sum((t) => t.forecast.fit_ms);
  return {
    metrics: {
      day,
      warehouses: transforms.length,
      pairs,
      changed: sum((t) => t.changed),
      deleted: sum((t) => t.deleted),
    },
    forecast: {
      day,
      warehouses: transforms.length,
      pairs: sum((t) => t.forecast.pairs),
      rows: sum((t) => t.forecast.rows),
      replaced: sum((t) => t.forecast.replaced),
      models: {
        holt_winters: sum((t) => t.forecast.models.holt_winters),
        mean: sum((t) => t.forecast.models.mean),
        zero: sum((t) => t.forecast.models.zero),
      },
      fit_ms: fitMs,
      fit_us_per_pair: pairs ? Math.round((fitMs * 1000) / pairs) : 0,
    },
  };
}

/**
 * transform_and_load: once every warehouse of D is transformed, the day's totals, the Parquet
 * partition of D and the Redis cache. The cache holds the newest metrics, so a backfilled day
 * older than the newest computed day leaves it alone.
 */
export async function transformAndLoad(
  knex: Knex,
  log: TaskLogger,
  services: Pick<DagServices, 'redis' | 'config'>,
  day: string,
  warehouses: ReadonlyArray<WarehouseTransform | null>,
) {
  logDay(log, day);
  const done = warehouses.filter((w): w is WarehouseTransform => w !== null);
  if (done.length < warehouses.length)
    throw new PermanentTaskError(
      `${warehouses.length - done.length} warehouse transforms of ${day} did not succeed`,
    );
  const { metrics, forecast } = totals(day, done);
  const over = `over ${count(metrics.warehouses, 'warehouse')}`;
  log.info(
    `processed metrics: ${count(metrics.pairs, 'pair')} for ${day} ${over}, ${metrics.changed} changed, ${metrics.deleted} deleted`,
    { step: 'processed metrics', rows_read: metrics.pairs, rows_written: metrics.pairs, ...metrics },
  );
  log.info(
    `forecast: ${count(forecast.pairs, 'pair')} forecast for ${day} ${over} (${forecast.models.holt_winters} Holt-Winters, ${forecast.models.mean} mean, ${forecast.models.zero} zero; ${forecast.fit_us_per_pair} µs per pair), ${count(forecast.rows, 'daily row')} written, ${forecast.replaced} replaced`,
    {
      step: 'forecast',
      rows_read: forecast.pairs,
      rows_written: forecast.pairs + forecast.rows,
      ...forecast,
    },
  );
  // The cache holds the newest day: a backfilled older day leaves it alone.
  const newest = await newestMetricsDay(knex);
  const refreshCache = newest === day;
  let cached = 0;
  let cacheMs = 0;
  async function* rows() {
    for await (const batch of readProcessedMetrics(knex, day)) {
      if (refreshCache) {
        const started = performance.now();
        const updatedAt = new Date().toISOString();
        cached += await writeMetricsCache(
          services.redis,
          batch.map((row) => cacheEntryOf(row, updatedAt)),
        );
        cacheMs += performance.now() - started;
      }
      yield* batch;
    }
  }
  const archive = await step(
    log,
    'parquet',
    () => writeMetricsArchive(services.config.DATA_DIR, day, rows()),
    (r) => ({
      message: `${count(r.rows, 'row')} written to ${r.path}, ${r.bytes} bytes`,
      fields: { day, rows_read: r.rows, rows_written: r.rows, path: r.path, bytes: r.bytes },
    }),
  );
  log.info(
    refreshCache
      ? `cache: ${count(cached, 'pair')} written to Redis (${Math.round(cacheMs)} ms)`
      : `cache: left alone, ${newest} is newer than ${day}`,
    { step: 'cache', day, refreshed: refreshCache, rows_written: cached, newest, ms: Math.round(cacheMs) },
  );
  return {
    day,
    pairs: metrics.pairs,
    changed: metrics.changed,
    forecasts: forecast.pairs,
    archive: archive.path,
    cached,
  };
}

/** generate_aggregated_metrics: the per-warehouse, per-category and total roll-up of D. */
export async function generateAggregatedMetrics(knex: Knex, log: TaskLogger, day: string) {
  logDay(log, day);
  const result = await step(
    log,
    'roll-up',
    () => writeAggregatedMetrics(knex, day),
    (r) => ({
      message: `${count(r.rows, 'row')} for ${day} from ${count(r.pairs, 'pair')}, ${r.changed} changed, ${r.deleted} deleted`,
      fields: { day, rows_read: r.pairs, rows_written: r.rows, ...r },
    }),
  );
  return { day, rows: result.rows, changed: result.changed };
}

/** The daily gate failed: the day's ledger cannot be trusted. Not retried: the data must be fixed. */
export class DataQualityGateError extends PermanentTaskError {}

/** Rule groups the daily gate runs over day D. */
const GATE_GROUPS = ['integrity', 'business_rules'] as const;

/**
 * data_quality_check: the integrity and business rules over day D, stored under the check run
 * key `daily_inventory_etl:D`. Integrity failures (duplicate, invalid or orphan transactions)
 * fail the task; business-rule failures such as negative stock are facts (SPEC §3) and are only
 * reported.
 */
export async function dataQualityCheck(knex: Knex, log: TaskLogger, dagId: string, day: string) {
  const checkRunKey = `${dagId}:${day}`;
  const start = startOfDay(day);
  const end = startOfDay(addDays(day, 1));
  logInterval(log, `check window of day ${day}`, { start, end }, { day, check_run_key: checkRunKey });
  const results = await checkRules(
    knex,
    log,
    GATE_GROUPS.flatMap((g) => QUALITY_RULES[g]),
    { checkRunKey, start, end, params: DEFAULT_RULE_PARAMS },
  );
  const run = await step(
    log,
    'score',
    () => writeQualityRun(knex, { checkRunKey, dagId, start, end }),
    (r) => ({
      message: `${r.score}/100, ${r.rules_failed} of ${r.rules_checked} rules failing`,
      fields: {
        score: r.score,
        rules_checked: r.rules_checked,
        rules_failed: r.rules_failed,
        failed_rules: r.failed_rules,
      },
    }),
  );
  const blocking = results.filter((r) => !r.passed && r.rule_group === 'integrity');
  if (blocking.length > 0) {
    throw new DataQualityGateError(
      `data-quality gate failed for ${day}: ${blocking.map((r) => `${r.rule_id} (${r.failing_count} rows)`).join(', ')}`,
    );
  }
  return {
    day,
    score: run.score,
    warnings: results.filter((r) => !r.passed).map((r) => ({ rule: r.rule_id, failing: r.failing_count })),
  };
}
