import {
  readProcessedMetrics,
  type ProcessedMetricsRow,
  writeAggregatedMetrics,
  writeDailySnapshots,
  writeProcessedMetrics,
} from './store/index.js';
import {
  QUALITY_RULES,
  DEFAULT_RULE_PARAMS,
  runQualityRules,
  writeQualityRun,
} from '../data_quality/store/index.js';
import { PermanentTaskError, type Knex } from '../../platform/index.js';
import { addDays, startOfDay } from '../interval.js';
import type { DagServices } from '../services.js';
import { writeMetricsCache, type CachedMetrics } from '../../inventory/metricsCache/index.js';
import { writeMetricsArchive } from './parquetArchive.js';

/** extract_inventory_data: the end-of-day snapshot of every pair for day D. */
export async function extractInventoryData(knex: Knex, day: string) {
  const snapshots = await writeDailySnapshots(knex, day);
  return { day, pairs: snapshots.pairs, changed: snapshots.changed };
}

/** A processed-metrics row as the metric cache holds it. */
function cacheEntryOf(row: ProcessedMetricsRow, updatedAt: string): CachedMetrics {
  return { ...row, source: 'daily_etl', updated_at: updatedAt };
}

/**
 * transform_and_load: processed_metrics for D (SQL), then the Parquet partition of D and the
 * Redis cache. The cache holds the newest metrics, so a backfilled day older than the newest
 * computed day leaves it alone.
 */
export async function transformAndLoad(
  knex: Knex,
  services: Pick<DagServices, 'redis' | 'config'>,
  day: string,
) {
  const metrics = await writeProcessedMetrics(knex, day);
  const [{ newest }] = (await knex.raw('SELECT max(as_of_date) AS newest FROM analytics.processed_metrics'))
    .rows;
  const refreshCache = newest === day;
  let cached = 0;
  async function* rows() {
    for await (const batch of readProcessedMetrics(knex, day)) {
      if (refreshCache)
        cached += await writeMetricsCache(
          services.redis,
          batch.map((row) => cacheEntryOf(row, new Date().toISOString())),
        );
      yield* batch;
    }
  }
  const archive = await writeMetricsArchive(services.config.DATA_DIR, day, rows());
  return { day, pairs: metrics.pairs, changed: metrics.changed, archive: archive.path, cached };
}

/** generate_aggregated_metrics: the per-warehouse, per-category and total roll-up of D. */
export async function generateAggregatedMetrics(knex: Knex, day: string) {
  const result = await writeAggregatedMetrics(knex, day);
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
export async function dataQualityCheck(knex: Knex, dagId: string, day: string) {
  const checkRunKey = `${dagId}:${day}`;
  const start = startOfDay(day);
  const end = startOfDay(addDays(day, 1));
  const results = await runQualityRules(
    knex,
    GATE_GROUPS.flatMap((g) => QUALITY_RULES[g]),
    { checkRunKey, start, end, params: DEFAULT_RULE_PARAMS },
  );
  const run = await writeQualityRun(knex, { checkRunKey, dagId, start, end });
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
