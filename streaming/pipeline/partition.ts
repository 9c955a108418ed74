import type { Knex } from 'knex';
import { loadPartitionProgress, loadWindowEvents } from '../store/index.js';
import { PairMap } from './pairMap.js';
import type { PairState } from './pairState.js';
import { PartitionWindows, earliestOpenEventTime } from './windows.js';

/**
 * What one instance holds for a partition it owns. Built from PostgreSQL when the partition is
 * first handled in a group generation, and thrown away (to be rebuilt) when a batch fails, so
 * the in-memory state never runs ahead of what was committed.
 */
export class PartitionState {
  /** Offset of the next message to apply; null when the group never applied any from this partition. */
  nextOffset: bigint | null;
  readonly windows: PartitionWindows;
  /** Detector state of the pairs seen since the partition was (re)loaded. */
  readonly pairs = new PairMap<PairState>();

  constructor(
    readonly partition: number,
    readonly generation: number,
    nextOffset: bigint | null,
    windows: PartitionWindows,
  ) {
    this.nextOffset = nextOffset;
    this.windows = windows;
  }
}

/**
 * Loads a partition's progress and rebuilds its open windows from the ledger rows it delivered
 * since the earliest start of a window that is still open at the stored watermark.
 */
export async function loadPartitionState(
  db: Knex,
  args: { groupId: string; topic: string; partition: number; generation: number; allowedLatenessMs: number },
): Promise<PartitionState> {
  const progress = await loadPartitionProgress(db, args.groupId, args.topic, args.partition);
  const windows = new PartitionWindows(args.allowedLatenessMs, progress?.maxEventTime ?? null);
  if (progress?.maxEventTime) {
    const from = new Date(earliestOpenEventTime(windows.watermark));
    for (const r of await loadWindowEvents(db, args.partition, from)) {
      windows.rebuild(r.sku, r.warehouseId, r.quantityChange, r.occurredAt.getTime());
    }
  }
  return new PartitionState(
    args.partition,
    args.generation,
    progress ? BigInt(progress.nextOffset) : null,
    windows,
  );
}
