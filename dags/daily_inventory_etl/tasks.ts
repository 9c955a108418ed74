import {
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

/**
 * transform_and_load: the demand forecast of every pair for D, then processed_metrics for D (SQL,
 * planned on that forecast); then the Parquet partition of D and the Redis cache. The cache holds the newest
 * metrics, so a backfilled day older than the newest computed day leaves it alone.
 */
export async function transformAndLoad(
  knex: Knex,
  log: TaskLogger,
  services: Pick<DagServices, 'redis' | 'config'>,
  day: string,
) {
  logDay(log, day);
  // The forecast first: the metrics' stock-out probability and reorder figures are planned on it.
  const forecasts = await step(
    log,
    'forecast',
    () => writeDayForecasts(knex, day),
    (r) => ({
      message: `${count(r.pairs, 'pair')} forecast for ${day} (${r.models.holt_winters} Holt-Winters, ${r.models.mean} mean, ${r.models.zero} zero; ${r.fit_us_per_pair} µs per pair), ${count(r.rows, 'daily row')} written, ${r.replaced} replaced`,
      fields: { day, rows_read: r.pairs, rows_written: r.pairs + r.rows, ...r },
    }),
  );
  const metrics = await step(
    log,
    'processed metrics',
    () => writeProcessedMetrics(knex, day),
    (r) => ({
      message: `${count(r.pairs, 'pair')} for ${day} from as many snapshots, ${r.changed} changed, ${r.deleted} deleted`,
      fields: { day, rows_read: r.pairs, rows_written: r.pairs, ...r },
    }),
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
    forecasts: forecasts.pairs,
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
