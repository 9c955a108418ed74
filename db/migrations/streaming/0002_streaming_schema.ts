import type { Knex } from 'knex';

/**
 * The consumer offsets belong to the stream, not to the inventory domain: they move to a
 * `streaming` schema of their own. `SET SCHEMA` moves the table with its rows, constraints and
 * indexes, so a running warehouse keeps every partition's offset and event-time high mark.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE SCHEMA IF NOT EXISTS streaming;
    ALTER TABLE inventory.consumer_offsets SET SCHEMA streaming;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE streaming.consumer_offsets SET SCHEMA inventory;
    DROP SCHEMA streaming;
  `);
}
