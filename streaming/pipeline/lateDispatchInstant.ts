import type { Knex } from 'knex';
import { hasUndispatchedOrders } from '../../inventory/fulfilment/index.js';
import type { Logger } from '../../platform/index.js';
import { loadNextOffsets, loadStreamProgress, type StreamProgress } from '../store/index.js';
import type { PartitionEnds } from '../transport/index.js';
import { fulfilmentWatermark, isCaughtUp } from './fulfilmentWatermark.js';

/** Where the fulfilment watermark comes from. */
export interface WatermarkSources {
  /** The consumer group and topic of the order and the shipment streams: their progress makes the watermark. */
  watermarkOf: ReadonlyArray<{ groupId: string; topic: string }>;
  /** Each partition's ends, from the broker (none: a quiet topic holds the watermark at its last event). */
  endOffsets?: ((topic: string) => Promise<PartitionEnds[]>) | undefined;
  logger?: Logger | undefined;
}

/**
 * The instant at which a chunk of `topic`, whose newest event is at `now`, judges the orders
 * past their promise: the fulfilment watermark, at most `now`; null while nothing is known. The
 * chunk counts as applied to its own topic (its transaction holds its events).
 *
 * A topic that is quiet — no event applied as new as `now` — holds the watermark at its last
 * event. When an undispatched order is promised between that watermark and the one the quiet
 * topics would allow, each quiet topic is probed: if its consumer group has applied everything
 * the broker holds (`isCaughtUp`, ends read after this chunk's events were fetched), the topic is
 * complete up to `now`. So a late order is judged while the order topic is quiet, and never on a
 * dispatch or cancellation that is published but not applied yet.
 */
export async function lateDispatchInstant(
  trx: Knex.Transaction,
  sources: WatermarkSources,
  topic: string,
  now: number,
): Promise<number | null> {
  const progress = (await loadStreamProgress(trx, sources.watermarkOf)).map((p, k) =>
    sources.watermarkOf[k]!.topic === topic
      ? { ...p, partitions: Math.max(p.partitions, 1), newest: Math.max(p.newest ?? -Infinity, now) }
      : p,
  );
  const judged = (watermark: number | null) => (watermark === null ? null : Math.min(now, watermark));
  const judgedAt = judged(fulfilmentWatermark(progress));
  const quiet = progress.map((p) => newestOf(p) < now);
  if (!sources.endOffsets || !quiet.includes(true)) return judgedAt;
  const reach = judged(
    fulfilmentWatermark(
      progress,
      progress.map(() => now),
    ),
  );
  if (reach === null || (judgedAt !== null && reach <= judgedAt)) return judgedAt;
  const from = judgedAt === null ? null : new Date(judgedAt);
  if (!(await hasUndispatchedOrders(trx, from, new Date(reach)))) return judgedAt;
  const currentTo = await Promise.all(
    sources.watermarkOf.map(async (stream, k) =>
      quiet[k] && (await caughtUp(trx, sources, stream)) ? now : null,
    ),
  );
  return judged(fulfilmentWatermark(progress, currentTo));
}

const newestOf = (p: StreamProgress) => (p.partitions === 0 ? -Infinity : (p.newest ?? -Infinity));

/** Whether the group applied all the broker holds of the topic; a broker that does not answer says no. */
async function caughtUp(
  trx: Knex.Transaction,
  sources: WatermarkSources,
  stream: { groupId: string; topic: string },
): Promise<boolean> {
  try {
    const ends = await sources.endOffsets!(stream.topic);
    return isCaughtUp(ends, await loadNextOffsets(trx, stream));
  } catch (err) {
    sources.logger?.debug(
      { err, topic: stream.topic },
      'could not read the topic’s ends; the watermark waits',
    );
    return false;
  }
}
