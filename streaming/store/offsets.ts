import type { Knex } from 'knex';
import { WareflowError } from '../../platform/index.js';
import { bind } from '../../db/index.js';

/**
 * A chunk's progress write found the partition somewhere else than where the chunk started: another
 * member (or a batch of an earlier generation) applied it meanwhile. The chunk rolls back and is
 * tried again from the state PostgreSQL now holds.
 */
export class OffsetConflictError extends WareflowError {
  constructor(
    readonly partition: number,
    readonly expectedNextOffset: string | null,
  ) {
    super(
      `partition ${partition} moved on from offset ${expectedNextOffset ?? '(none)'} while this chunk was applied`,
      { retriable: true },
    );
  }
}

export interface PartitionProgress {
  partition: number;
  /** The next offset to apply (last applied offset + 1). */
  nextOffset: string;
  /** The partition's highest event time seen so far; the window watermark derives from it. */
  maxEventTime: Date | null;
}

/** What a consumer group has applied from one partition, or undefined when it never applied any. */
export async function loadPartitionProgress(
  db: Knex,
  groupId: string,
  topic: string,
  partition: number,
): Promise<PartitionProgress | undefined> {
  const { rows } = await db.raw<{ rows: Array<{ next_offset: number; max_event_time: Date | null }> }>(
    `SELECT next_offset, max_event_time FROM streaming.consumer_offsets
      WHERE group_id = ? AND topic = ? AND partition = ?`,
    bind(groupId, topic, partition),
  );
  const row = rows[0];
  if (!row) return undefined;
  return { partition, nextOffset: String(row.next_offset), maxEventTime: row.max_event_time };
}
