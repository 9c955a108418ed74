import type { Knex } from 'knex';
import { bind } from './bindings.js';

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
    `SELECT next_offset, max_event_time FROM inventory.consumer_offsets
      WHERE group_id = ? AND topic = ? AND partition = ?`,
    bind(groupId, topic, partition),
  );
  const row = rows[0];
  if (!row) return undefined;
  return { partition, nextOffset: String(row.next_offset), maxEventTime: row.max_event_time };
}
