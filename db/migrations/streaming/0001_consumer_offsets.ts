import type { Knex } from 'knex';

/**
 * State of the streaming sidecar that must survive a restart and move with a partition to another
 * instance: the next Kafka offset to apply per (consumer group, topic, partition) and that
 * partition's event-time high mark (the window watermark is derived from it). Both are written in
 * the same transaction as the rows the batch produced, which is what makes ingestion
 * effectively-once.
 *
 * As first shipped, the table lived in the `inventory` schema; 0002 moves it to the stream's own
 * schema. This file stays as it was so that databases migrated before the move keep one history.
 * It runs after the inventory owner's migrations, which create the `inventory` schema.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE inventory.consumer_offsets (
      group_id        text NOT NULL,
      topic           text NOT NULL,
      partition       integer NOT NULL CHECK (partition >= 0),
      next_offset     bigint NOT NULL CHECK (next_offset >= 0),
      max_event_time  timestamptz,
      updated_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, topic, partition)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS inventory.consumer_offsets');
}
