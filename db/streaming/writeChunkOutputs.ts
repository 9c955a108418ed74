import type { Knex } from 'knex';
import { bind } from './bindings.js';
import type { PartitionProgress } from './offsets.js';

/** A closed window aggregate (a row of `analytics.stream_windows`). */
export interface ClosedWindow {
  kind: string;
  start: Date;
  end: Date;
  sku: string;
  warehouseId: string;
  eventCount: number;
  unitsIn: number;
  unitsOut: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  lateEvents: number;
}

/** Late events counted against one window that had already closed. */
export interface LateWindowCount {
  kind: string;
  start: Date;
  end: Date;
  sku: string;
  warehouseId: string;
  count: number;
}

export interface AnomalyRow {
  eventId: string;
  sku: string;
  warehouseId: string;
  anomalyType: string;
  severity: string;
  riskScore: number;
  details: Record<string, unknown>;
  occurredAt: Date;
}

export interface AlertRow {
  alertType: string;
  severity: string;
  source: string;
  sku: string;
  warehouseId: string;
  message: string;
  details: Record<string, unknown>;
  dedupKey: string;
}

export interface ChunkOutputs {
  anomalies: readonly AnomalyRow[];
  closedWindows: readonly ClosedWindow[];
  /** Late events for windows closed by earlier chunks (never one of `closedWindows`). */
  lateWindows: readonly LateWindowCount[];
  alerts: readonly AlertRow[];
  groupId: string;
  topic: string;
  progress: PartitionProgress;
}

/**
 * Everything a chunk produced besides the ledger rows, and the partition's progress, in ONE
 * statement (data-modifying CTEs): the per-chunk round trips are what bounds throughput, not the
 * rows. Anomalies insert once (`UNIQUE (event_id, anomaly_type)` makes a replay a no-op), closed
 * windows upsert (a replay recomputes the same figures; late counts already on the row are kept),
 * late counts add up, alerts append, the partition's progress is overwritten. Returns the alert ids in
 * input order.
 */
export async function writeChunkOutputs(trx: Knex.Transaction, o: ChunkOutputs): Promise<number[]> {
  const { anomalies: a, closedWindows: w, lateWindows: l, alerts: al } = o;
  const { rows } = await trx.raw<{ rows: Array<{ id: number; ord: number }> }>(
    `WITH anomalies AS (
       INSERT INTO analytics.anomalies
         (event_id, sku, warehouse_id, anomaly_type, severity, risk_score, details, occurred_at)
       SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::float8[], ?::jsonb[],
                            ?::timestamptz[])
       ON CONFLICT (event_id, anomaly_type) DO NOTHING
     ), closed AS (
       INSERT INTO analytics.stream_windows AS sw
         (window_kind, window_start, window_end, sku, warehouse_id, event_count, units_in, units_out,
          mean_change, min_change, max_change, p50_change, p95_change, late_events, closed_at)
       SELECT *, now() FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[], ?::int[],
                                   ?::int[], ?::int[], ?::float8[], ?::int[], ?::int[], ?::float8[], ?::float8[],
                                   ?::int[])
       ON CONFLICT (window_kind, window_start, sku, warehouse_id) DO UPDATE
         SET event_count = excluded.event_count, units_in = excluded.units_in, units_out = excluded.units_out,
             mean_change = excluded.mean_change, min_change = excluded.min_change,
             max_change = excluded.max_change, p50_change = excluded.p50_change,
             p95_change = excluded.p95_change, late_events = sw.late_events + excluded.late_events,
             closed_at = now()
     ), late AS (
       INSERT INTO analytics.stream_windows AS sw
         (window_kind, window_start, window_end, sku, warehouse_id, event_count, units_in, units_out, late_events)
       SELECT kind, ws, we, sku, warehouse_id, 0, 0, 0, n
         FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[], ?::int[])
           AS t(kind, ws, we, sku, warehouse_id, n)
       ON CONFLICT (window_kind, window_start, sku, warehouse_id) DO UPDATE
         SET late_events = sw.late_events + excluded.late_events
     ), progress AS (
       INSERT INTO inventory.consumer_offsets (group_id, topic, partition, next_offset, max_event_time, updated_at)
       VALUES (?, ?, ?, ?::bigint, ?::timestamptz, now())
       ON CONFLICT (group_id, topic, partition) DO UPDATE
         SET next_offset = excluded.next_offset, max_event_time = excluded.max_event_time, updated_at = now()
     )
     INSERT INTO analytics.alerts (alert_type, severity, source, sku, warehouse_id, message, details, dedup_key)
     SELECT alert_type, severity, source, sku, warehouse_id, message, details, dedup_key
       FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[], ?::text[])
              WITH ORDINALITY AS t(alert_type, severity, source, sku, warehouse_id, message, details, dedup_key, ord)
      ORDER BY ord
     RETURNING id`,
    bind(
      a.map((x) => x.eventId),
      a.map((x) => x.sku),
      a.map((x) => x.warehouseId),
      a.map((x) => x.anomalyType),
      a.map((x) => x.severity),
      a.map((x) => x.riskScore),
      a.map((x) => JSON.stringify(x.details)),
      a.map((x) => x.occurredAt.toISOString()),
      w.map((x) => x.kind),
      w.map((x) => x.start.toISOString()),
      w.map((x) => x.end.toISOString()),
      w.map((x) => x.sku),
      w.map((x) => x.warehouseId),
      w.map((x) => x.eventCount),
      w.map((x) => x.unitsIn),
      w.map((x) => x.unitsOut),
      w.map((x) => x.mean),
      w.map((x) => x.min),
      w.map((x) => x.max),
      w.map((x) => x.p50),
      w.map((x) => x.p95),
      w.map((x) => x.lateEvents),
      l.map((x) => x.kind),
      l.map((x) => x.start.toISOString()),
      l.map((x) => x.end.toISOString()),
      l.map((x) => x.sku),
      l.map((x) => x.warehouseId),
      l.map((x) => x.count),
      o.groupId,
      o.topic,
      o.progress.partition,
      o.progress.nextOffset,
      o.progress.maxEventTime?.toISOString() ?? null,
      al.map((x) => x.alertType),
      al.map((x) => x.severity),
      al.map((x) => x.source),
      al.map((x) => x.sku),
      al.map((x) => x.warehouseId),
      al.map((x) => x.message),
      al.map((x) => JSON.stringify(x.details)),
      al.map((x) => x.dedupKey),
    ),
  );
  // INSERT … SELECT … ORDER BY inserts (and serial ids are drawn) in that order; RETURNING
  // follows the insertion order in practice but SQL does not promise it, so sort the ids.
  return rows.map((r) => r.id).sort((x, y) => x - y);
}
