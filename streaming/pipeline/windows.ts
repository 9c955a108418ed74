import type { ClosedWindow } from '../store/index.js';
import { PairMap } from './pairMap.js';

/** The SPEC §7 windows: event-time tumbling 1m/5m/15m/1h and a 5m window sliding by 1m. */
export const WINDOW_KINDS = [
  { kind: 'tumbling_1m', sizeMs: 60_000, slideMs: 60_000 },
  { kind: 'tumbling_5m', sizeMs: 300_000, slideMs: 300_000 },
  { kind: 'tumbling_15m', sizeMs: 900_000, slideMs: 900_000 },
  { kind: 'tumbling_1h', sizeMs: 3_600_000, slideMs: 3_600_000 },
  { kind: 'sliding_5m_1m', sizeMs: 300_000, slideMs: 60_000 },
] as const;

export type WindowKind = (typeof WINDOW_KINDS)[number]['kind'];

const MINUTE_MS = 60_000;
/** Every window size and slide is a whole number of minutes. */
const KIND_MINUTES = WINDOW_KINDS.map((k) => ({
  kind: k.kind,
  sizeMin: k.sizeMs / MINUTE_MS,
  slideMin: k.slideMs / MINUTE_MS,
}));

interface Accumulator {
  kind: WindowKind;
  /** Start in epoch minutes: the order of a kind's open windows. */
  startMin: number;
  end: number;
  sku: string;
  warehouseId: string;
  count: number;
  unitsIn: number;
  unitsOut: number;
  sum: number;
  min: number;
  max: number;
  values: number[];
  late: number;
}

interface PairWindows {
  sku: string;
  warehouseId: string;
  /**
   * Per kind (index into WINDOW_KINDS), the open windows in order of start, so also of end. A
   * pair has a handful open per kind, and an event almost always falls in the newest ones: a
   * search from the back finds them, and closing takes them from the front.
   */
  byKind: Accumulator[][];
}

export interface LateEvent {
  kind: WindowKind;
  start: Date;
  end: Date;
  sku: string;
  warehouseId: string;
  count: number;
}

/** Linear-interpolated percentile (the definition of PostgreSQL's percentile_cont). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 1) return sorted[0]!;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

function summarise(acc: Accumulator): ClosedWindow {
  // Quantities are whole numbers within ±MAX_ABS_QUANTITY: a typed array sorts them natively.
  const sorted = Int32Array.from(acc.values).sort();
  return {
    kind: acc.kind,
    start: new Date(acc.startMin * MINUTE_MS),
    end: new Date(acc.end),
    sku: acc.sku,
    warehouseId: acc.warehouseId,
    eventCount: acc.count,
    unitsIn: acc.unitsIn,
    unitsOut: acc.unitsOut,
    mean: acc.count ? acc.sum / acc.count : null,
    min: acc.count ? acc.min : null,
    max: acc.count ? acc.max : null,
    p50: acc.count ? percentile(sorted, 0.5) : null,
    p95: acc.count ? percentile(sorted, 0.95) : null,
    lateEvents: acc.late,
  };
}

/**
 * The earliest event time that can still belong to a window open at `watermark`: where a rebuild
 * of the open windows must start reading the ledger.
 */
export function earliestOpenEventTime(watermark: number): number {
  let from = watermark;
  for (const k of WINDOW_KINDS) {
    // The oldest window of this kind whose end is after the watermark.
    const lastStart = Math.floor(watermark / k.slideMs) * k.slideMs;
    const oldest = lastStart - (k.sizeMs - k.slideMs);
    from = Math.min(from, oldest);
  }
  return from;
}

/**
 * The event-time windows of one partition. The watermark is the partition's highest event time
 * minus the allowed lateness; it only moves forward. An event is late for a window whose end is at
 * or before the watermark when the event arrives: it is counted on that window (`late_events`),
 * never added to its figures. Windows close (and leave memory) once their end is at or before the
 * watermark.
 *
 * Invariant that makes a restart exact: after `closeDue()` the open windows are precisely the
 * windows with end > watermark, and each holds exactly the ledger rows of this partition in its
 * range — so replaying those rows (`rebuild`) recreates the same state.
 */
export class PartitionWindows {
  /** Open windows per pair. */
  private readonly open = new PairMap<PairWindows>();
  private readonly lateClosed = new Map<string, LateEvent>();
  private nextEnd = Infinity;
  maxEventTime: number | null;

  constructor(
    private readonly allowedLatenessMs: number,
    maxEventTime: Date | null = null,
  ) {
    this.maxEventTime = maxEventTime?.getTime() ?? null;
  }

  get watermark(): number {
    return this.maxEventTime === null ? -Infinity : this.maxEventTime - this.allowedLatenessMs;
  }

  get openCount(): number {
    let n = 0;
    for (const p of this.open.values()) for (const open of p.byKind) n += open.length;
    return n;
  }

  /** Adds a newly applied event. Returns the number of windows it was late for. */
  add(sku: string, warehouseId: string, change: number, occurredAt: number): number {
    if (this.maxEventTime === null || occurredAt > this.maxEventTime) this.maxEventTime = occurredAt;
    return this.place(sku, warehouseId, change, occurredAt, this.watermark);
  }

  /** Replays a ledger row into the open windows (no lateness: only windows still open are filled). */
  rebuild(sku: string, warehouseId: string, change: number, occurredAt: number): void {
    this.place(sku, warehouseId, change, occurredAt, this.watermark, true);
  }

  private place(
    sku: string,
    warehouseId: string,
    change: number,
    t: number,
    watermark: number,
    rebuilding = false,
  ): number {
    let pair = this.open.get(sku, warehouseId);
    if (!pair) {
      pair = { sku, warehouseId, byKind: WINDOW_KINDS.map(() => []) };
      this.open.set(sku, warehouseId, pair);
    }
    let late = 0;
    const minute = Math.floor(t / MINUTE_MS);
    for (let k = 0; k < KIND_MINUTES.length; k++) {
      const { kind, sizeMin, slideMin } = KIND_MINUTES[k]!;
      const windows = pair.byKind[k]!;
      // Windows before `at` start earlier than the one sought; the loop visits starts downwards.
      let at = windows.length;
      const lastStart = Math.floor(minute / slideMin) * slideMin;
      for (let startMin = lastStart; startMin > minute - sizeMin; startMin -= slideMin) {
        const start = startMin * MINUTE_MS;
        const end = start + sizeMin * MINUTE_MS;
        while (at > 0 && windows[at - 1]!.startMin > startMin) at--;
        let acc = at > 0 && windows[at - 1]!.startMin === startMin ? windows[at - 1] : undefined;
        if (end <= watermark) {
          if (rebuilding) continue;
          late++;
          if (acc) acc.late++;
          else {
            const key = `${kind}|${start}|${sku}\u0000${warehouseId}`;
            const l = this.lateClosed.get(key);
            if (l) l.count++;
            else
              this.lateClosed.set(key, {
                kind,
                start: new Date(start),
                end: new Date(end),
                sku,
                warehouseId,
                count: 1,
              });
          }
          continue;
        }
        if (!acc) {
          acc = {
            kind,
            startMin,
            end,
            sku,
            warehouseId,
            count: 0,
            unitsIn: 0,
            unitsOut: 0,
            sum: 0,
            min: Infinity,
            max: -Infinity,
            values: [],
            late: 0,
          };
          if (at === windows.length) windows.push(acc);
          else windows.splice(at, 0, acc);
          if (end < this.nextEnd) this.nextEnd = end;
        }
        acc.count++;
        acc.sum += change;
        if (change > 0) acc.unitsIn += change;
        else acc.unitsOut -= change;
        if (change < acc.min) acc.min = change;
        if (change > acc.max) acc.max = change;
        acc.values.push(change);
      }
    }
    return late;
  }

  /** Removes and returns every window whose end is at or before the watermark. */
  closeDue(): ClosedWindow[] {
    const watermark = this.watermark;
    if (this.nextEnd > watermark) return [];
    const closed: ClosedWindow[] = [];
    let nextEnd = Infinity;
    for (const pair of this.open.values()) {
      for (const windows of pair.byKind) {
        let n = 0;
        while (n < windows.length && windows[n]!.end <= watermark) closed.push(summarise(windows[n++]!));
        if (n > 0) windows.splice(0, n);
        if (windows.length > 0 && windows[0]!.end < nextEnd) nextEnd = windows[0]!.end;
      }
    }
    this.nextEnd = nextEnd;
    return closed;
  }

  /** Late events for windows that had already closed, collected since the last call. */
  takeLateForClosed(): LateEvent[] {
    const late = [...this.lateClosed.values()];
    this.lateClosed.clear();
    return late;
  }
}
