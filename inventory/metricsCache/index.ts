/**
 * The Redis metric cache (SPEC §6): one key per (sku, warehouse), one TTL and one payload, written
 * by the daily ETL and refreshed by the streaming sidecar. Readers see the same shape from both;
 * `source` says which wrote it, `as_of_date` the day the metrics are of, `updated_at` when.
 */
import type { Metrics } from '../analytics/index.js';
import type { Redis } from '../../platform/index.js';

/** How long a cached metric set lives (SPEC §6). */
export const METRICS_CACHE_TTL_S = 3600;

/** `metrics:{sku}:{warehouse_id}` (SPEC §6). */
export function metricsCacheKey(sku: string, warehouseId: string): string {
  return `metrics:${sku}:${warehouseId}`;
}

/** What one key holds: the pair, its levels and its SPEC §5 metrics. */
export interface CachedMetrics extends Metrics {
  sku: string;
  warehouse_id: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  /** The UTC day 'YYYY-MM-DD' whose end (ETL) or latest event (sidecar) the metrics describe. */
  as_of_date: string;
  source: 'daily_etl' | 'streaming';
  /** When the entry was written, an ISO instant. */
  updated_at: string;
}

/**
 * Writes a batch of entries with the TTL in one pipeline round trip. Throws the first failed
 * reply; whether that matters is the caller's call (the ETL fails its task, the sidecar logs it).
 */
export async function writeMetricsCache(redis: Redis, entries: readonly CachedMetrics[]): Promise<number> {
  if (entries.length === 0) return 0;
  const pipeline = redis.pipeline();
  for (const entry of entries) {
    pipeline.set(
      metricsCacheKey(entry.sku, entry.warehouse_id),
      JSON.stringify(entry),
      'EX',
      METRICS_CACHE_TTL_S,
    );
  }
  const replies = await pipeline.exec();
  const failed = replies?.find(([err]) => err);
  if (failed) throw failed[0];
  return entries.length;
}

/** Reads one pair's entry, or null when none is cached (expired, or never written). */
export async function readMetricsCache(
  redis: Redis,
  sku: string,
  warehouseId: string,
): Promise<CachedMetrics | null> {
  const raw = await redis.get(metricsCacheKey(sku, warehouseId));
  return raw === null ? null : (JSON.parse(raw) as CachedMetrics);
}
