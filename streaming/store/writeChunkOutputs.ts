import type { Knex } from 'knex';
import {
  INSERT_ALERTS_SQL,
  alertsParam,
  insertAlerts,
  insertableAtOnce,
  updateOpenAlerts,
  type NewAlert,
  type OpenAlertUpdate,
  type WrittenAlert,
} from '../../inventory/alerts/index.js';
import type { NewAnomaly } from './anomalyRow.js';
import { bind } from '../../db/index.js';
import { OffsetConflictError, type PartitionProgress } from './offsets.js';
import { PREPARED } from './prepared.js';

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

export interface ChunkOutputs {
  anomalies: readonly NewAnomaly[];
  closedWindows: readonly ClosedWindow[];
  /** Late events for windows closed by earlier chunks (never one of `closedWindows`). */
  lateWindows: readonly LateWindowCount[];
  /** Alerts that open (or open and resolve) in this chunk: at most one still open per key. */
  newAlerts: readonly NewAlert[];
  /** Changes to alerts that were open before the chunk: at most one per key. */
  alertUpdates: readonly OpenAlertUpdate[];
  groupId: string;
  topic: string;
  progress: PartitionProgress;
  /**
   * The partition's stored next offset when the chunk started (null: none stored). The progress
   * write is fenced on it, so two writers of one partition cannot both commit.
   */
  expectedNextOffset: string | null;
}

/**
 * Everything a chunk produced besides the ledger rows, and the partition's progress, in ONE
 * statement (data-modifying CTEs): the per-chunk round trips are what bounds throughput, not the
 * rows. Anomalies insert once (their ids come from what caused them, so a replay is a no-op),
 * closed windows upsert (a replay recomputes the same figures; late counts already on the row are
 * kept), late counts add up, the partition's progress moves on — only from where the chunk
 * started, or the statement throws `OffsetConflictError` (roll the transaction back).
 *
 * New alerts go in as an upsert on the open alert of their key (inventory/alerts'
 * `INSERT_ALERTS_SQL`), so two writers of one key end with one open alert: in this same statement
 * when the chunk updates no alert that was open before it and repeats no open key (a steady
 * stream's usual chunk: one round trip, not two). Otherwise the open alerts take their updates in
 * a statement of their own first (inventory/alerts' `updateOpenAlerts`: planned at each call with
 * the table's current size, where the prepared statement kept a plan made while the alerts table
 * was small, one that read every open alert at every chunk), so an incident resolved in this chunk
 * makes room for the one that re-opens its key, and the new alerts follow (`insertAlerts`).
 * Returns what the alert insert wrote.
 */
export async function writeChunkOutputs(trx: Knex.Transaction, o: ChunkOutputs): Promise<WrittenAlert[]> {
  const { anomalies: a, closedWindows: w, lateWindows: l } = o;
  const together = o.alertUpdates.length === 0 && insertableAtOnce(o.newAlerts);
  const { rows } = await trx
    .raw<{ rows: Array<WrittenAlert & { progressed: number | null }> }>(
      `WITH anomalies AS (
       INSERT INTO analytics.anomalies
         (anomaly_id, event_id, sku, warehouse_id, anomaly_type, severity, risk_score, details, occurred_at)
       SELECT * FROM json_to_recordset(?::json)
         AS t(anomaly_id uuid, event_id uuid, sku text, warehouse_id text, anomaly_type text, severity text,
              risk_score float8, details jsonb, occurred_at timestamptz)
       ON CONFLICT DO NOTHING
     ), closed AS (
       INSERT INTO analytics.stream_windows AS sw
         (window_kind, window_start, window_end, sku, warehouse_id, event_count, units_in, units_out,
          mean_change, min_change, max_change, p50_change, p95_change, late_events, closed_at)
       SELECT *, now() FROM json_to_recordset(?::json)
         AS t(kind text, ws timestamptz, we timestamptz, sku text, warehouse_id text, n int, units_in int,
              units_out int, mean float8, min int, max int, p50 float8, p95 float8, late int)
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
         FROM json_to_recordset(?::json) AS t(kind text, ws timestamptz, we timestamptz, sku text, warehouse_id text, n int)
       ON CONFLICT (window_kind, window_start, sku, warehouse_id) DO UPDATE
         SET late_events = sw.late_events + excluded.late_events
     ), progress AS (
       INSERT INTO streaming.consumer_offsets (group_id, topic, partition, next_offset, max_event_time, updated_at)
       VALUES (?, ?, ?, ?::bigint, ?::timestamptz, now())
       ON CONFLICT (group_id, topic, partition) DO UPDATE
         SET next_offset = excluded.next_offset, max_event_time = excluded.max_event_time, updated_at = now()
         WHERE consumer_offsets.next_offset IS NOT DISTINCT FROM ?::bigint
       RETURNING 1
     ), alerts AS (
       ${INSERT_ALERTS_SQL}
     )
     SELECT count(*)::int AS progressed, NULL::text AS alert_id, NULL AS dedup_key, NULL AS severity,
            NULL::boolean AS opened
       FROM progress
     UNION ALL
     SELECT NULL, alert_id::text, dedup_key, severity, opened FROM alerts`,
      // One JSON document per row set: JSON.stringify is native, where the driver would escape every
      // element of some thirty arrays in JS.
      bind(
        JSON.stringify(
          a.map((x) => ({
            anomaly_id: x.anomalyId,
            event_id: x.eventId,
            sku: x.sku,
            warehouse_id: x.warehouseId,
            anomaly_type: x.anomalyType,
            severity: x.severity,
            risk_score: x.riskScore,
            details: x.details,
            occurred_at: x.occurredAt,
          })),
        ),
        JSON.stringify(
          w.map((x) => ({
            kind: x.kind,
            ws: x.start,
            we: x.end,
            sku: x.sku,
            warehouse_id: x.warehouseId,
            n: x.eventCount,
            units_in: x.unitsIn,
            units_out: x.unitsOut,
            mean: x.mean,
            min: x.min,
            max: x.max,
            p50: x.p50,
            p95: x.p95,
            late: x.lateEvents,
          })),
        ),
        JSON.stringify(
          l.map((x) => ({
            kind: x.kind,
            ws: x.start,
            we: x.end,
            sku: x.sku,
            warehouse_id: x.warehouseId,
            n: x.count,
          })),
        ),
        o.groupId,
        o.topic,
        o.progress.partition,
        o.progress.nextOffset,
        o.progress.maxEventTime?.toISOString() ?? null,
        o.expectedNextOffset,
        alertsParam(together ? o.newAlerts : []),
      ),
    )
    .options(PREPARED.write_chunk_outputs);
  const progress = rows.find((r) => r.progressed !== null);
  if (progress?.progressed !== 1) throw new OffsetConflictError(o.progress.partition, o.expectedNextOffset);
  if (together) return rows.filter((r) => r.progressed === null);
  await updateOpenAlerts(trx, o.alertUpdates);
  return insertAlerts(trx, o.newAlerts);
}
