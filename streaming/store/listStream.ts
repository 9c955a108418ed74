import type { Knex } from 'knex';
import { fetchPage, type Page, type PageRequest } from '../../db/index.js';
import type { AnomalyRow } from './anomalyRow.js';

/** Re-exported for readers that import this file directly; the type lives in ./anomalyRow.ts. */
export type { AnomalyRow };

export interface StreamWindowRow {
  window_kind: string;
  window_start: Date;
  window_end: Date;
  sku: string;
  warehouse_id: string;
  event_count: number;
  units_in: number;
  units_out: number;
  mean_change: number | null;
  min_change: number | null;
  max_change: number | null;
  p50_change: number | null;
  p95_change: number | null;
  late_events: number;
  closed_at: Date;
}

export interface PairFilter {
  sku?: string;
  warehouseId?: string;
}

/**
 * No window lasts longer than an hour (tumbling_1h): a window ending after T started after
 * T − 1 h. Said in SQL too, the bound on `window_start` (the partition key) keeps a read of the
 * recent windows to their monthly partitions.
 */
const LONGEST_WINDOW_MS = 3_600_000;

/** Closed windows of one kind, newest first. */
export function listStreamWindows(
  knex: Knex,
  filter: PairFilter & { windowKind: string; from?: Date; to?: Date },
  page: PageRequest,
): Promise<Page<StreamWindowRow>> {
  const q = knex('analytics.stream_windows').select('*').where('window_kind', filter.windowKind);
  if (filter.sku) q.where('sku', filter.sku);
  if (filter.warehouseId) q.where('warehouse_id', filter.warehouseId);
  if (filter.from) {
    q.where('window_end', '>', filter.from);
    q.where('window_start', '>', new Date(filter.from.getTime() - LONGEST_WINDOW_MS));
  }
  if (filter.to) q.where('window_start', '<', filter.to);
  q.orderBy([
    { column: 'window_start', order: 'desc' },
    { column: 'sku', order: 'asc' },
    { column: 'warehouse_id', order: 'asc' },
  ]);
  return fetchPage<StreamWindowRow>(q, page);
}

export interface ThroughputPoint {
  window_start: Date;
  window_end: Date;
  events: number;
  units_in: number;
  units_out: number;
  late_events: number;
  pairs: number;
}

/**
 * Events per closed window summed over pairs (or for one pair), oldest first: the throughput
 * chart. Uses stream_windows_end_idx for the time bound, on the partitions of its months.
 */
export async function streamThroughput(
  knex: Knex,
  filter: PairFilter & { windowKind: string; since: Date },
): Promise<ThroughputPoint[]> {
  const q = knex('analytics.stream_windows')
    .select('window_start', 'window_end')
    .sum({ events: 'event_count', units_in: 'units_in', units_out: 'units_out', late_events: 'late_events' })
    .count({ pairs: '*' })
    .where('window_kind', filter.windowKind)
    .where('window_end', '>', filter.since)
    .where('window_start', '>', new Date(filter.since.getTime() - LONGEST_WINDOW_MS))
    .groupBy('window_start', 'window_end')
    .orderBy('window_start')
    .limit(5_000);
  if (filter.sku) q.where('sku', filter.sku);
  if (filter.warehouseId) q.where('warehouse_id', filter.warehouseId);
  const rows = await q;
  return rows.map((r: Record<string, unknown>) => ({
    window_start: r.window_start as Date,
    window_end: r.window_end as Date,
    events: Number(r.events),
    units_in: Number(r.units_in),
    units_out: Number(r.units_out),
    late_events: Number(r.late_events),
    pairs: Number(r.pairs),
  }));
}

/** Detected anomalies, newest first. */
export function listAnomalies(
  knex: Knex,
  filter: PairFilter & { anomalyType?: string; severity?: string; since?: Date },
  page: PageRequest,
): Promise<Page<AnomalyRow>> {
  const q = knex('analytics.anomalies').select('*');
  if (filter.anomalyType) q.where('anomaly_type', filter.anomalyType);
  if (filter.severity) q.where('severity', filter.severity);
  if (filter.sku) q.where('sku', filter.sku);
  if (filter.warehouseId) q.where('warehouse_id', filter.warehouseId);
  if (filter.since) q.where('detected_at', '>=', filter.since);
  q.orderBy([
    { column: 'detected_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  return fetchPage<AnomalyRow>(q, page);
}

export interface AnomalyBucket {
  bucket_start: Date;
  anomaly_type: string;
  n: number;
}

/** Anomalies per type and time bucket since `since`, for the anomaly chart. */
export async function anomalyHistogram(
  knex: Knex,
  filter: PairFilter & { since: Date; bucketSeconds: number },
): Promise<AnomalyBucket[]> {
  const q = knex('analytics.anomalies')
    .select(
      knex.raw('to_timestamp(floor(extract(epoch FROM occurred_at) / ?) * ?) AS bucket_start', [
        filter.bucketSeconds,
        filter.bucketSeconds,
      ]),
      'anomaly_type',
    )
    .count({ n: '*' })
    .where('occurred_at', '>=', filter.since)
    .groupBy('bucket_start', 'anomaly_type')
    .orderBy('bucket_start');
  if (filter.sku) q.where('sku', filter.sku);
  if (filter.warehouseId) q.where('warehouse_id', filter.warehouseId);
  const rows = await q;
  return rows.map((r: Record<string, unknown>) => ({
    bucket_start: r.bucket_start as Date,
    anomaly_type: String(r.anomaly_type),
    n: Number(r.n),
  }));
}
