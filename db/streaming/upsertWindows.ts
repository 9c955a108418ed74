import type { Knex } from 'knex';
import { bind } from './bindings.js';

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

/**
 * Stores closed windows. Writing the same window twice leaves one row with the latest figures
 * (a window is closed once per owner; a replay recomputes the same numbers); late events
 * already counted on the row are kept.
 */
export async function upsertWindows(trx: Knex.Transaction, windows: readonly ClosedWindow[]): Promise<void> {
  if (windows.length === 0) return;
  await trx.raw(
    `INSERT INTO analytics.stream_windows AS w
       (window_kind, window_start, window_end, sku, warehouse_id, event_count, units_in, units_out,
        mean_change, min_change, max_change, p50_change, p95_change, late_events, closed_at)
     SELECT *, now() FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[], ?::int[],
                                 ?::int[], ?::int[], ?::float8[], ?::int[], ?::int[], ?::float8[], ?::float8[], ?::int[])
     ON CONFLICT (window_kind, window_start, sku, warehouse_id) DO UPDATE
       SET event_count = excluded.event_count, units_in = excluded.units_in, units_out = excluded.units_out,
           mean_change = excluded.mean_change, min_change = excluded.min_change, max_change = excluded.max_change,
           p50_change = excluded.p50_change, p95_change = excluded.p95_change,
           late_events = w.late_events + excluded.late_events, closed_at = now()`,
    bind(
      windows.map((w) => w.kind),
      windows.map((w) => w.start.toISOString()),
      windows.map((w) => w.end.toISOString()),
      windows.map((w) => w.sku),
      windows.map((w) => w.warehouseId),
      windows.map((w) => w.eventCount),
      windows.map((w) => w.unitsIn),
      windows.map((w) => w.unitsOut),
      windows.map((w) => w.mean),
      windows.map((w) => w.min),
      windows.map((w) => w.max),
      windows.map((w) => w.p50),
      windows.map((w) => w.p95),
      windows.map((w) => w.lateEvents),
    ),
  );
}

/** Adds late events to windows that were already closed (creating an empty row when none exists). */
export async function addLateEvents(
  trx: Knex.Transaction,
  late: ReadonlyArray<{
    kind: string;
    start: Date;
    end: Date;
    sku: string;
    warehouseId: string;
    count: number;
  }>,
): Promise<void> {
  if (late.length === 0) return;
  await trx.raw(
    `INSERT INTO analytics.stream_windows AS w
       (window_kind, window_start, window_end, sku, warehouse_id, event_count, units_in, units_out, late_events)
     SELECT kind, ws, we, sku, warehouse_id, 0, 0, 0, n
       FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[], ?::int[])
         AS t(kind, ws, we, sku, warehouse_id, n)
     ON CONFLICT (window_kind, window_start, sku, warehouse_id) DO UPDATE
       SET late_events = w.late_events + excluded.late_events`,
    bind(
      late.map((l) => l.kind),
      late.map((l) => l.start.toISOString()),
      late.map((l) => l.end.toISOString()),
      late.map((l) => l.sku),
      late.map((l) => l.warehouseId),
      late.map((l) => l.count),
    ),
  );
}
