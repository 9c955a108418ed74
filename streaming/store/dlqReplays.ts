import type { Knex } from 'knex';

/** A dead-lettered message sent back to the events topic. */
export interface DlqReplayRow {
  dlqTopic: string;
  partition: number;
  offset: string;
  reason: string;
  replayedTo: string;
  replayedBy: string;
}

/** When each message of a DLQ topic was replayed, by `partition:offset`. */
export async function loadDlqReplays(knex: Knex, dlqTopic: string): Promise<Map<string, Date>> {
  const rows: Array<{ dlq_partition: number; dlq_offset: string; replayed_at: Date }> = await knex(
    'streaming.dlq_replays',
  )
    .where({ dlq_topic: dlqTopic })
    .select('dlq_partition', 'dlq_offset', 'replayed_at');
  return new Map(rows.map((r) => [`${r.dlq_partition}:${r.dlq_offset}`, r.replayed_at]));
}

/**
 * Records replays; a message recorded before keeps its first row. Returns how many rows are new.
 */
export async function recordDlqReplays(knex: Knex, rows: readonly DlqReplayRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await knex('streaming.dlq_replays')
    .insert(
      rows.map((r) => ({
        dlq_topic: r.dlqTopic,
        dlq_partition: r.partition,
        dlq_offset: r.offset,
        reason: r.reason,
        replayed_to: r.replayedTo,
        replayed_by: r.replayedBy,
      })),
    )
    .onConflict(['dlq_topic', 'dlq_partition', 'dlq_offset'])
    .ignore()
    .returning('dlq_offset');
  return inserted.length;
}
