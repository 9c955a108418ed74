import type { Knex } from 'knex';
import { bind } from '../../db/index.js';
import type { PairFilter, StreamWindowRow } from './listStream.js';

/** A window kind's shape (an entry of the pipeline's `WINDOW_KINDS`). */
export interface WindowShape {
  kind: string;
  sizeMs: number;
  slideMs: number;
}

/**
 * A window the sidecar still holds open, recomputed from the ledger: the figures of a closed
 * window so far. Provisional: more events (and late ones) may still land in it.
 */
export type OpenWindowRow = Omit<StreamWindowRow, 'closed_at'> & { provisional: true };

/**
 * How far before `now` (beyond one window size) an open window is still looked for: a feed that
 * stopped leaves its last windows open until events move the watermark again.
 */
export const OPEN_WINDOW_LOOKBACK_MS = 10 * 60_000;

/**
 * The windows of one kind that end after the kind's last closed window (or, before any window
 * has closed, after `now` − size − lookback), aggregated from the ledger rows the stream
 * delivered (`source_partition` set; demo rows loaded straight into PostgreSQL never enter a
 * window). Newest first, same figures as `analytics.stream_windows` (late_events is 0: lateness
 * is decided when a window closes).
 *
 * Cheap by construction: it reads only ledger rows from one window size before that bound, through
 * the occurred_at index, and the last closed end through stream_windows_end_idx. The bound is read
 * first and bound as a value: computed inside the statement, it is known only when the statement
 * runs, so the plan covered every monthly partition of the ledger and scanned them all (2 s on
 * the demo's year). With several partitions, a window already closed by one partition's watermark
 * is not shown for the others.
 */
export async function listOpenWindows(
  db: Knex,
  filter: PairFilter & { window: WindowShape; now?: Date; limit?: number },
): Promise<OpenWindowRow[]> {
  const { kind, sizeMs, slideMs } = filter.window;
  const now = (filter.now ?? new Date()).getTime();
  const horizon = new Date(now - sizeMs - OPEN_WINDOW_LOOKBACK_MS).toISOString();
  const bound = await db('analytics.stream_windows')
    .max({ after: 'window_end' })
    .where('window_kind', kind)
    .andWhere('window_end', '>', horizon)
    .first();
  const after = (bound?.after as Date | null | undefined) ?? new Date(horizon);
  const { rows } = await db.raw<{ rows: Array<Record<string, unknown>> }>(
    `WITH placed AS (
       SELECT t.sku, t.warehouse_id, t.quantity_change AS q,
              (floor(extract(epoch FROM t.occurred_at) * 1000 / ?::bigint)::bigint - j) * ?::bigint AS start_ms
         FROM inventory.inventory_transactions t
         CROSS JOIN generate_series(0, ?::int - 1) AS j
        WHERE t.occurred_at >= ?::timestamptz
          AND t.source_partition IS NOT NULL
          AND (?::text IS NULL OR t.sku = ?::text)
          AND (?::text IS NULL OR t.warehouse_id = ?::text)
     )
     SELECT ?::text AS window_kind,
            to_timestamp(p.start_ms / 1000.0) AS window_start,
            to_timestamp((p.start_ms + ?::bigint) / 1000.0) AS window_end,
            p.sku, p.warehouse_id,
            count(*)::int AS event_count,
            sum(greatest(p.q, 0))::int AS units_in,
            sum(greatest(-p.q, 0))::int AS units_out,
            avg(p.q)::float8 AS mean_change,
            min(p.q) AS min_change, max(p.q) AS max_change,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY p.q) AS p50_change,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY p.q) AS p95_change
       FROM placed p
      WHERE to_timestamp((p.start_ms + ?::bigint) / 1000.0) > ?::timestamptz
      GROUP BY p.start_ms, p.sku, p.warehouse_id
      ORDER BY p.start_ms DESC, p.sku, p.warehouse_id
      LIMIT ?`,
    bind(
      slideMs,
      slideMs,
      sizeMs / slideMs,
      new Date(after.getTime() - sizeMs),
      filter.sku ?? null,
      filter.sku ?? null,
      filter.warehouseId ?? null,
      filter.warehouseId ?? null,
      kind,
      sizeMs,
      sizeMs,
      after,
      filter.limit ?? 5_000,
    ),
  );
  return rows.map((r) => ({
    window_kind: String(r.window_kind),
    window_start: r.window_start as Date,
    window_end: r.window_end as Date,
    sku: String(r.sku),
    warehouse_id: String(r.warehouse_id),
    event_count: Number(r.event_count),
    units_in: Number(r.units_in),
    units_out: Number(r.units_out),
    mean_change: r.mean_change === null ? null : Number(r.mean_change),
    min_change: r.min_change === null ? null : Number(r.min_change),
    max_change: r.max_change === null ? null : Number(r.max_change),
    p50_change: r.p50_change === null ? null : Number(r.p50_change),
    p95_change: r.p95_change === null ? null : Number(r.p95_change),
    late_events: 0,
    provisional: true,
  }));
}
