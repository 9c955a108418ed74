import type { Knex } from 'knex';

/**
 * State of the streaming sidecar that must survive a restart and move with a partition to another
 * instance: the next Kafka offset to apply per (consumer group, topic, partition) and that
 * partition's event-time high mark (the window watermark is derived from it). Both are written in
 * the same transaction as the rows the batch produced, which is what makes ingestion
 * effectively-once.
 *
 * `inventory_transactions.source_partition` records which partition delivered a row, so an
 * instance that takes over a partition can rebuild the open event-time windows of that partition
 * from the ledger. Rows written by other paths (demo data straight into PostgreSQL) leave it NULL.
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

    -- No index of its own: a rebuild reads one hour through the occurred_at index and filters,
    -- which is cheaper overall than maintaining another index on the hottest insert path.
    ALTER TABLE inventory.inventory_transactions ADD COLUMN source_partition smallint;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE inventory.inventory_transactions DROP COLUMN IF EXISTS source_partition;
    DROP TABLE IF EXISTS inventory.consumer_offsets;
  `);
}
