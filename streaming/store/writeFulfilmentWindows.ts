import type { Knex } from 'knex';
import { FULFILMENT_METRIC_COLUMNS, fulfilmentMetricsSql } from '../../inventory/fulfilment/index.js';

/** One fulfilment window of one kind (every warehouse). */
export interface FulfilmentWindowKey {
  kind: string;
  start: Date;
  end: Date;
}

const COLUMNS = FULFILMENT_METRIC_COLUMNS.join(', ');

/**
 * Replaces the rows of the given windows with the fulfilment definition over each of them, in one
 * statement (`LATERAL`, one evaluation per window): each window's warehouses are upserted when
 * their figures changed, and a warehouse that no longer has anything to count there (an order
 * cancelled before its promise) loses its row. Returns the rows written.
 */
export async function writeFulfilmentWindows(
  trx: Knex.Transaction,
  windows: readonly FulfilmentWindowKey[],
): Promise<number> {
  if (windows.length === 0) return 0;
  const { rowCount } = await trx.raw<{ rowCount: number | null }>(
    `WITH w AS (
       SELECT * FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[]) AS w(window_kind, window_start, window_end)
     ), m AS (
       SELECT w.window_kind, w.window_start, w.window_end, d.*
         FROM w CROSS JOIN LATERAL (${fulfilmentMetricsSql('w.window_start', 'w.window_end')}) d
     ), gone AS (
       DELETE FROM streaming.fulfilment_windows f USING w
        WHERE f.window_kind = w.window_kind AND f.window_start = w.window_start
          AND NOT EXISTS (SELECT 1 FROM m WHERE m.window_kind = f.window_kind
                             AND m.window_start = f.window_start AND m.warehouse_id = f.warehouse_id)
     )
     INSERT INTO streaming.fulfilment_windows AS f
       (window_kind, window_start, window_end, warehouse_id, ${COLUMNS})
     SELECT window_kind, window_start, window_end, warehouse_id, ${COLUMNS} FROM m
     ON CONFLICT (window_kind, window_start, warehouse_id) DO UPDATE SET
       ${FULFILMENT_METRIC_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}, computed_at = now()
     WHERE (${FULFILMENT_METRIC_COLUMNS.map((c) => `f.${c}`).join(', ')})
           IS DISTINCT FROM (${FULFILMENT_METRIC_COLUMNS.map((c) => `excluded.${c}`).join(', ')})`,
    [windows.map((w) => w.kind), windows.map((w) => w.start), windows.map((w) => w.end)],
  );
  return rowCount ?? 0;
}
