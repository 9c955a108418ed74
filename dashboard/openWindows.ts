import { WINDOW_KINDS, type OpenWindowRow, type PairFilter, type WindowShape } from '../streaming/index.js';
import type { WarehouseReads } from './warehouseReads.js';

/** Events per open window summed over pairs: the provisional tail of the throughput chart. */
export interface ProvisionalPoint {
  window_start: Date;
  window_end: Date;
  events: number;
  units_in: number;
  units_out: number;
  pairs: number;
  provisional: true;
}

export function windowShape(kind: string): WindowShape {
  const shape = WINDOW_KINDS.find((k) => k.kind === kind);
  // Validation only lets WINDOW_KINDS names through; anything else is a programming error.
  if (!shape) throw new Error(`unknown window kind '${kind}'`);
  return shape;
}

/** The open windows of one kind, per pair, and summed per window (oldest first). */
export async function openWindowsOf(
  reads: WarehouseReads,
  filter: { windowKind: string } & PairFilter,
): Promise<{ windows: OpenWindowRow[]; points: ProvisionalPoint[] }> {
  const windows = await reads.listOpenWindows({
    window: windowShape(filter.windowKind),
    sku: filter.sku,
    warehouseId: filter.warehouseId,
  });
  const byStart = new Map<number, ProvisionalPoint>();
  for (const w of windows) {
    const t = new Date(w.window_start).getTime();
    const p = byStart.get(t) ?? {
      window_start: w.window_start,
      window_end: w.window_end,
      events: 0,
      units_in: 0,
      units_out: 0,
      pairs: 0,
      provisional: true as const,
    };
    p.events += w.event_count;
    p.units_in += w.units_in;
    p.units_out += w.units_out;
    p.pairs += 1;
    byStart.set(t, p);
  }
  const points = [...byStart.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
  return { windows, points };
}
