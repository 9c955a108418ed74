import type { Knex } from 'knex';
import { bind } from '../../db/index.js';

/** How far a consumer group has applied one topic, over its partitions (`fulfilmentWatermark`). */
export interface StreamProgress {
  /** Partitions that applied at least one message. */
  partitions: number;
  /** The newest event time applied in any partition; null before any. */
  newest: number | null;
  /** The oldest event time reached by a partition that was still behind at its last chunk; null: none behind. */
  lagging: number | null;
}

/** The progress of each (group, topic) of `streams`, in their order, from `streaming.consumer_offsets`. */
export async function loadStreamProgress(
  db: Knex | Knex.Transaction,
  streams: ReadonlyArray<{ groupId: string; topic: string }>,
): Promise<StreamProgress[]> {
  if (streams.length === 0) return [];
  const { rows } = await db.raw<{
    rows: Array<{ i: number; partitions: number; newest: Date | null; lagging: Date | null }>;
  }>(
    `SELECT s.i::int AS i, count(o.partition)::int AS partitions, max(o.max_event_time) AS newest,
            min(o.max_event_time) FILTER (WHERE o.behind) AS lagging
       FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS s(group_id, topic, i)
       LEFT JOIN streaming.consumer_offsets o ON o.group_id = s.group_id AND o.topic = s.topic
      GROUP BY s.i`,
    bind(
      streams.map((s) => s.groupId),
      streams.map((s) => s.topic),
    ),
  );
  const byIndex = new Map(rows.map((r) => [r.i, r]));
  return streams.map((_, k) => {
    const r = byIndex.get(k + 1);
    return {
      partitions: r?.partitions ?? 0,
      newest: r?.newest?.getTime() ?? null,
      lagging: r?.lagging?.getTime() ?? null,
    };
  });
}

/** The stored next offset of each partition a consumer group has applied of `topic`. */
export async function loadNextOffsets(
  db: Knex | Knex.Transaction,
  stream: { groupId: string; topic: string },
): Promise<Map<number, bigint>> {
  const rows = await db('streaming.consumer_offsets')
    .select<Array<{ partition: number; next_offset: string }>>('partition', 'next_offset')
    .where({ group_id: stream.groupId, topic: stream.topic });
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
}
