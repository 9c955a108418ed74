import type { Knex } from 'knex';
import type { FulfilmentWindowKey } from './writeFulfilmentWindows.js';

/**
 * Serialises, across every chunk of the order and shipment topics of every sidecar instance, the
 * step that finds the windows a chunk's events changed, until the chunk's transaction ends. Why
 * one lock for all: a window can depend on events of both topics (a dispatch's pick-to-dispatch
 * time on the order's picks), and a chunk sees only what others committed. Under the lock, the
 * last chunk to store events a window depends on sees all of them, so it finds (and marks) that
 * window; without it, two chunks could each miss the window through the other's uncommitted rows.
 * Held for two short statements and the commit.
 */
export async function lockFulfilmentWindowMarks(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('wareflow.fulfilment_windows'))`);
}

/** Records, in the chunk's transaction, that these windows must be recomputed. */
export async function markFulfilmentWindows(
  trx: Knex.Transaction,
  windows: readonly FulfilmentWindowKey[],
): Promise<void> {
  if (windows.length === 0) return;
  await trx.raw(
    `INSERT INTO streaming.fulfilment_window_marks (window_kind, window_start, window_end)
     SELECT * FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[])`,
    [windows.map((w) => w.kind), windows.map((w) => w.start), windows.map((w) => w.end)],
  );
}

/**
 * The refresh's own lock: one refresh at a time, over every instance (two could otherwise each
 * write a window from a view missing the other's marks). False when another holds it.
 */
export async function tryLockFulfilmentWindowRefresh(trx: Knex.Transaction): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: Array<{ locked: boolean }> }>(
    `SELECT pg_try_advisory_xact_lock(hashtext('wareflow.fulfilment_windows.refresh')) AS locked`,
  );
  return rows[0]!.locked;
}

/**
 * The oldest committed marks (at most `limit`): their ids, and the distinct windows they name.
 * A mark read here was committed with its chunk's events, so a statement that runs after this one
 * sees those events.
 */
export async function readFulfilmentWindowMarks(
  trx: Knex.Transaction,
  limit: number,
): Promise<{ ids: string[]; windows: FulfilmentWindowKey[] }> {
  const { rows } = await trx.raw<{
    rows: Array<{ id: string; window_kind: string; window_start: Date; window_end: Date }>;
  }>(
    `SELECT id, window_kind, window_start, window_end FROM streaming.fulfilment_window_marks ORDER BY id LIMIT ?`,
    [limit],
  );
  const windows = new Map<string, FulfilmentWindowKey>();
  for (const r of rows)
    windows.set(`${r.window_kind}|${r.window_start.getTime()}`, {
      kind: r.window_kind,
      start: r.window_start,
      end: r.window_end,
    });
  return { ids: rows.map((r) => String(r.id)), windows: [...windows.values()] };
}

/** Removes the marks a refresh has recomputed (by id: a mark added since stays for the next one). */
export async function deleteFulfilmentWindowMarks(
  trx: Knex.Transaction,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await trx.raw('DELETE FROM streaming.fulfilment_window_marks WHERE id = ANY(?::bigint[])', [[...ids]]);
}
