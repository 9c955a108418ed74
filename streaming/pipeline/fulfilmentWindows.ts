import type { Knex } from 'knex';
import { fulfilmentMetricTimes, type FulfilmentStream } from '../../inventory/fulfilment/index.js';
import { lockFulfilmentWindows, writeFulfilmentWindows, type FulfilmentWindowKey } from '../store/index.js';

/** The fulfilment windows: event-time tumbling 15 minutes and 1 hour, per warehouse (UTC-aligned). */
export const FULFILMENT_WINDOW_KINDS = [
  { kind: 'tumbling_15m', sizeMs: 900_000 },
  { kind: 'tumbling_1h', sizeMs: 3_600_000 },
] as const;

export type FulfilmentWindowKind = (typeof FULFILMENT_WINDOW_KINDS)[number]['kind'];

/** The windows of every kind that contain one of `times`, each once, ordered by kind then start. */
export function fulfilmentWindowsOf(times: readonly Date[]): FulfilmentWindowKey[] {
  const out: FulfilmentWindowKey[] = [];
  for (const { kind, sizeMs } of FULFILMENT_WINDOW_KINDS) {
    const starts = [...new Set(times.map((t) => Math.floor(t.getTime() / sizeMs) * sizeMs))].sort(
      (a, b) => a - b,
    );
    for (const start of starts) out.push({ kind, start: new Date(start), end: new Date(start + sizeMs) });
  }
  return out;
}

/**
 * Brings the fulfilment windows up to date with the events a chunk just stored (`eventIds`, of
 * `stream`), inside the chunk's transaction, before its offset commits: under the windows' lock
 * (see `lockFulfilmentWindows`), the times those events can change (`fulfilmentMetricTimes`,
 * read from the stored rows) → their windows of every kind → the definition recomputed over
 * each. A window's rows therefore equal the definition over the events committed with them, late
 * events included, and a redelivered chunk (nothing new stored) changes nothing.
 *
 * The cost per chunk: two statements (the times, then every window touched at once), each
 * window reading its own period through the projections' time indexes — a live chunk touches
 * the current window and those of the times its events relate to (a creation's promise, a
 * delivery's dispatch: a few), whatever its size. A chunk of the audit topic, or one that stored
 * nothing new, takes no lock.
 */
export async function refreshFulfilmentWindows(
  trx: Knex.Transaction,
  stream: FulfilmentStream,
  eventIds: readonly string[],
): Promise<{ windows: number; rows: number }> {
  if (stream === 'audit' || eventIds.length === 0) return { windows: 0, rows: 0 };
  await lockFulfilmentWindows(trx);
  const windows = fulfilmentWindowsOf(await fulfilmentMetricTimes(trx, stream, eventIds));
  return { windows: windows.length, rows: await writeFulfilmentWindows(trx, windows) };
}
