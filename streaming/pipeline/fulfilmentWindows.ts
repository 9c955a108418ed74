import type { Knex } from 'knex';
import { fulfilmentMetricTimes, type FulfilmentStream } from '../../inventory/fulfilment/index.js';
import type { Logger } from '../../platform/index.js';
import {
  deleteFulfilmentWindowMarks,
  lockFulfilmentWindowMarks,
  markFulfilmentWindows,
  readFulfilmentWindowMarks,
  tryLockFulfilmentWindowRefresh,
  writeFulfilmentWindows,
  type FulfilmentWindowKey,
} from '../store/index.js';

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
 * The chunk's part, in its transaction, last before COMMIT: under the marks' lock (see
 * `lockFulfilmentWindowMarks`), the times the events just stored (`eventIds`, of `stream`) can
 * change (`fulfilmentMetricTimes`, read from the stored rows) → their windows of every kind →
 * marks that commit with the events and the offset. Two short statements whatever the chunk's
 * size; the recomputation itself is the refresher's. A chunk of the audit topic, or one that
 * stored nothing new (a redelivery), marks nothing and takes no lock. Returns the windows marked.
 */
export async function markChangedWindows(
  trx: Knex.Transaction,
  stream: FulfilmentStream,
  eventIds: readonly string[],
): Promise<number> {
  if (stream === 'audit' || eventIds.length === 0) return 0;
  await lockFulfilmentWindowMarks(trx);
  const windows = fulfilmentWindowsOf(await fulfilmentMetricTimes(trx, stream, eventIds));
  await markFulfilmentWindows(trx, windows);
  return windows.length;
}

/** Windows one refresh transaction recomputes at most (a backlog takes several, each short). */
const REFRESH_MARKS = 500;

/**
 * One refresh: in a transaction holding the refresh lock (else nothing: another instance is at
 * it), the oldest marks → their distinct windows recomputed with the definition over what is
 * committed (`writeFulfilmentWindows`) → those marks deleted → COMMIT. Every mark read was
 * committed with its events, so the recomputation sees them; a mark added meanwhile stays for the
 * next refresh. `more` says marks may remain.
 */
export async function refreshMarkedWindows(
  db: Knex,
): Promise<{ windows: number; rows: number; more: boolean }> {
  return db.transaction(async (trx) => {
    if (!(await tryLockFulfilmentWindowRefresh(trx))) return { windows: 0, rows: 0, more: false };
    const { ids, windows } = await readFulfilmentWindowMarks(trx, REFRESH_MARKS);
    const rows = await writeFulfilmentWindows(trx, windows);
    await deleteFulfilmentWindowMarks(trx, ids);
    return { windows: windows.length, rows, more: ids.length === REFRESH_MARKS };
  });
}

/** How long a kick waits, so that the chunks committing meanwhile share one refresh. */
const KICK_DELAY_MS = 100;

/**
 * Keeps the fulfilment windows up to date in the background of the fulfilment consumers: a
 * refresh every `intervalMs`, or shortly after a chunk committed marks (`kick`), and again at once
 * while marks remain. A failed refresh is logged and retried on the next tick (the marks stay).
 */
export class FulfilmentWindowRefresher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private kicked = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
  ) {
    this.schedule(0);
  }

  /** A chunk committed marks: refresh soon (or right after the refresh under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else if (!this.kicked) {
      this.kicked = true;
      this.schedule(KICK_DELAY_MS);
    }
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delayMs);
  }

  private run(): Promise<void> {
    if (this.stopped || this.running) return this.running ?? Promise.resolve();
    this.kicked = false;
    this.running = (async () => {
      let more = true;
      try {
        while (more && !this.stopped) {
          this.again = false;
          const r = await refreshMarkedWindows(this.db);
          more = r.more || this.again;
          if (r.windows > 0)
            this.logger.debug({ windows: r.windows, rows: r.rows }, 'fulfilment windows refreshed');
        }
      } catch (err) {
        this.logger.warn({ err }, 'fulfilment window refresh failed; the marks stay for the next one');
      } finally {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.intervalMs);
      }
    })();
    return this.running;
  }

  /** Stops the ticks and waits for a refresh under way (its transaction commits or rolls back). */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
