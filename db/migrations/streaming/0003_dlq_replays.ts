import type { Knex } from 'knex';

/**
 * What `wareflow dlq replay` (and the dashboard's DLQ page) sent back to `inventory-events`: one
 * row per dead-lettered message, keyed by where it sits on the DLQ topic. A message replayed once
 * is reported as already replayed after that, whatever filter selects it again; replaying it
 * twice would change nothing anyway (event ids are the ledger's primary key), but an operator
 * should see what was done. A table rather than a consumer group of the replay tool's own: a
 * group keeps one position per partition, and replays select by reason and time, not by a prefix
 * of the topic.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE streaming.dlq_replays (
      dlq_topic      text NOT NULL,
      dlq_partition  integer NOT NULL CHECK (dlq_partition >= 0),
      dlq_offset     bigint NOT NULL CHECK (dlq_offset >= 0),
      reason         text NOT NULL,
      replayed_to    text NOT NULL,
      replayed_at    timestamptz NOT NULL DEFAULT now(),
      replayed_by    text NOT NULL,
      PRIMARY KEY (dlq_topic, dlq_partition, dlq_offset)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS streaming.dlq_replays');
}
