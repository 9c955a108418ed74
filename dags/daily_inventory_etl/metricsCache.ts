import type { ProcessedMetricsRow } from './store/index.js';
import type { Redis } from '../../platform/index.js';

/** How long a cached metric set lives (SPEC §6). */
export const METRICS_CACHE_TTL_S = 3600;

/** `metrics:{sku}:{warehouse_id}` (SPEC §6). */
export function metricsCacheKey(sku: string, warehouseId: string): string {
  return `metrics:${sku}:${warehouseId}`;
}

/**
 * Caches one batch of metrics as JSON strings with a one-hour TTL, in a single pipeline round
 * trip. A later day's run overwrites the keys; an older (backfilled) day must not, so the
 * caller only caches the newest day it has.
 */
export async function cacheMetrics(redis: Redis, rows: readonly ProcessedMetricsRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const pipeline = redis.pipeline();
  for (const row of rows) {
    pipeline.set(metricsCacheKey(row.sku, row.warehouse_id), JSON.stringify(row), 'EX', METRICS_CACHE_TTL_S);
  }
  const replies = await pipeline.exec();
  const failed = replies?.find(([err]) => err);
  if (failed) throw failed[0];
  return rows.length;
}
