/**
 * The fulfilment watermark: the event time up to which the order and the shipment topics are both
 * known to be applied, so "not dispatched, not cancelled at t" is a fact for any t at or before it
 * (inventory/fulfilment/CONTRACT.md §10). The topics are consumed by separate groups, and in a
 * replay or a catch-up one can run far ahead of the other in event time: an order judged on the
 * ledger of a chunk's own time could miss a dispatch the shipment consumer has not applied yet.
 */
import type { StreamProgress } from '../store/index.js';

const MINUTE_MS = 60_000;

/**
 * How far apart in event time the partitions of one topic may be applied while none of them is
 * behind (each applied what the broker held at its last chunk): messages published since, not
 * yet fetched, are at most this much older than the newest applied. Producers publish as events
 * happen, and the eval's replay sends each topic's events in steps of this size.
 */
export const PARTITION_SKEW_MS = 5 * MINUTE_MS;

/**
 * The watermark of the topics whose `progress` is given, or null while one of them has applied
 * nothing (nothing is known of it): per topic, its newest applied event time, held back to the
 * event time of a partition that was still behind at its last chunk (a catch-up); the smallest of
 * these, less `PARTITION_SKEW_MS`. A quiet topic holds the watermark at its last event: the
 * judgement waits, it is never made on a state not seen.
 */
export function fulfilmentWatermark(progress: readonly StreamProgress[]): number | null {
  let watermark = Infinity;
  for (const p of progress) {
    if (p.partitions === 0 || p.newest === null) return null;
    watermark = Math.min(watermark, p.newest, p.lagging ?? Infinity);
  }
  return Number.isFinite(watermark) ? watermark - PARTITION_SKEW_MS : null;
}
