import type { AppliedEvents, StoredEvent } from '../store/index.js';
import type { Accepted, Rejections } from './admit.js';

/**
 * Stage 3, dedupe: which accepted events the ledger write took as new. A repeat (in this chunk
 * or from an earlier delivery) goes to `repeats`, for `settleRepeats`; an event whose SKU or
 * warehouse was deleted meanwhile (an orphan of the write) is dead-lettered as unknown.
 */
export function classifyNew(
  accepted: readonly Accepted[],
  result: AppliedEvents,
  rejects: Rejections,
): { applied: Accepted[]; repeats: Accepted[] } {
  const applied: Accepted[] = [];
  const repeats: Accepted[] = [];
  const claimed = new Set<string>();
  for (const a of accepted) {
    const orphan = result.orphans.get(a.event.eventId);
    if (orphan === 'sku')
      rejects.add(a.message, 'unknown_sku', `SKU ${a.event.sku} is no longer in PostgreSQL`);
    else if (orphan) {
      rejects.add(
        a.message,
        'unknown_warehouse',
        `warehouse ${a.event.warehouseId} is no longer in PostgreSQL`,
      );
    } else if (result.written === 'copy') {
      // One COPY took every row: no id was repeated, in the chunk or the ledger.
      applied.push(a);
    } else if (!result.skippedIds.has(a.event.eventId) && !claimed.has(a.event.eventId)) {
      claimed.add(a.event.eventId);
      applied.push(a);
    } else repeats.push(a);
  }
  return { applied, repeats };
}

/**
 * Stage 3, dedupe (cont.): a repeat is a duplicate when it says the same thing as the stored
 * ledger row, and is dead-lettered as `conflicting_duplicate` when it reuses an id for something
 * else. Returns the number of duplicates.
 */
export function settleRepeats(
  repeats: readonly Accepted[],
  stored: ReadonlyMap<string, StoredEvent>,
  rejects: Rejections,
): number {
  let duplicates = 0;
  for (const r of repeats) {
    const s = stored.get(r.event.eventId);
    const same =
      s &&
      s.sku === r.event.sku &&
      s.warehouseId === r.event.warehouseId &&
      s.eventType === r.event.eventType &&
      s.quantityChange === r.event.quantityChange &&
      s.occurredAt.getTime() === r.event.occurredAt.getTime();
    if (same) duplicates++;
    else
      rejects.add(
        r.message,
        'conflicting_duplicate',
        `eventId ${r.event.eventId} was applied with other content`,
      );
  }
  return duplicates;
}
