import type { Knex } from 'knex';
import { bind } from '../../db/index.js';
import { OffsetConflictError } from './offsets.js';

/**
 * Moves a partition's stored next offset on, in the caller's transaction, only from where the
 * chunk started (`expectedNextOffset`, null when none was stored): the same fence as the inventory
 * chunk's progress write (`writeChunkOutputs`), for the streams whose rows need no other output.
 * Throws `OffsetConflictError` when another member moved it meanwhile.
 */
export async function writePartitionOffset(
  trx: Knex.Transaction,
  p: {
    groupId: string;
    topic: string;
    partition: number;
    expectedNextOffset: string | null;
    nextOffset: string;
    maxEventTime: Date | null;
    /** The partition held messages beyond this chunk (the fulfilment watermark waits for it). @defaultValue false */
    behind?: boolean;
  },
): Promise<void> {
  const { rows } = await trx.raw<{ rows: unknown[] }>(
    `INSERT INTO streaming.consumer_offsets (group_id, topic, partition, next_offset, max_event_time, behind, updated_at)
     VALUES (?, ?, ?, ?::bigint, ?::timestamptz, ?::boolean, now())
     ON CONFLICT (group_id, topic, partition) DO UPDATE
       SET next_offset = excluded.next_offset,
           max_event_time = greatest(consumer_offsets.max_event_time, excluded.max_event_time),
           behind = excluded.behind,
           updated_at = now()
       WHERE consumer_offsets.next_offset IS NOT DISTINCT FROM ?::bigint
     RETURNING 1`,
    bind(
      p.groupId,
      p.topic,
      p.partition,
      p.nextOffset,
      p.maxEventTime?.toISOString() ?? null,
      p.behind ?? false,
      p.expectedNextOffset,
    ),
  );
  if (rows.length !== 1) throw new OffsetConflictError(p.partition, p.expectedNextOffset);
}
