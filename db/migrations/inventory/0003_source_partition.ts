import type { Knex } from 'knex';

/**
 * `inventory_transactions.source_partition` records which Kafka partition delivered a row, so a
 * streaming instance that takes over a partition can rebuild the open event-time windows of that
 * partition from the ledger. Rows written by other paths (demo data straight into PostgreSQL)
 * leave it NULL. The column belongs to the ledger, so the inventory owner adds it.
 */
export async function up(knex: Knex): Promise<void> {
  // No index of its own: a rebuild reads one hour through the occurred_at index and filters,
  // which is cheaper overall than maintaining another index on the hottest insert path.
  await knex.raw('ALTER TABLE inventory.inventory_transactions ADD COLUMN source_partition smallint');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE inventory.inventory_transactions DROP COLUMN IF EXISTS source_partition');
}
