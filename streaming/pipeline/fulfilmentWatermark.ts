/**
 * The fulfilment watermark: the event time up to which the order and the shipment topics are both
 * known to be applied, so "not dispatched, not cancelled at t" is a fact for any t at or before it
 * (inventory/fulfilment/CONTRACT.md §10). The topics are consumed by separate groups, and in a
 * replay or a catch-up one can run far ahead of the other in event time: an order judged on the
 * ledger of a chunk's own time could miss a dispatch the shipment consumer has not applied yet.
 */
import type { StreamProgress } from '../store/index.js';
import type { PartitionEnds } from '../transport/index.js';

const MINUTE_MS = 60_000;

/**
 * How far apart in event time the partitions of one topic, and the fulfilment topics among
 * themselves, may be published: messages published since a partition's last chunk, not yet
 * fetched, are at most this much older than the newest applied. Producers publish as events
 * happen, and the eval's replay sends each topic's events in steps of this size.
 */
export const PARTITION_SKEW_MS = 5 * MINUTE_MS;

/**
 * The watermark of the topics whose `progress` is given, or null while one of them is known in
 * nothing: per topic, its newest applied event time — or, when larger, `currentTo`: the event
 * time a quiet topic is known complete to (`isCaughtUp`) — held back to the event time of a
 * partition that was still behind at its last chunk (a catch-up); the smallest of these, less
 * `PARTITION_SKEW_MS`. Without `currentTo` a quiet topic holds the watermark at its last event:
 * the judgement waits, it is never made on a state not seen.
 */
export function fulfilmentWatermark(
  progress: readonly StreamProgress[],
  currentTo: ReadonlyArray<number | null> = [],
): number | null {
  let watermark = Infinity;
  for (const [k, p] of progress.entries()) {
    const newest = Math.max(
      p.partitions === 0 ? -Infinity : (p.newest ?? -Infinity),
      currentTo[k] ?? -Infinity,
    );
    if (newest === -Infinity) return null;
    watermark = Math.min(watermark, newest, p.lagging ?? Infinity);
  }
  return Number.isFinite(watermark) ? watermark - PARTITION_SKEW_MS : null;
}

/**
 * Whether a consumer group has applied every message below the ends the broker gave: each
 * partition's stored next offset at or past its end (a partition it never applied counts from
 * its first retained offset). Ends read after an event of time S was seen on any fulfilment
 * topic, and offsets read after the ends, make the topic complete up to S: producers publish in
 * event-time order within `PARTITION_SKEW_MS`, so what it holds of up to S was published before.
 */
export function isCaughtUp(
  ends: readonly PartitionEnds[],
  nextOffsets: ReadonlyMap<number, bigint>,
): boolean {
  return ends.every((e) => (nextOffsets.get(e.partition) ?? BigInt(e.low)) >= BigInt(e.high));
}
