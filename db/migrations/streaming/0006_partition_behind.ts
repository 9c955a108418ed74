import type { Knex } from 'knex';

/**
 * Whether a partition still had messages beyond the chunk that last wrote its progress (its next
 * offset below the batch's high watermark). The fulfilment watermark (inventory/fulfilment/
 * CONTRACT.md §10) is held back by the event time of such a partition: while it catches up, the
 * events it has not applied may be older than what the other partitions have.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE streaming.consumer_offsets ADD COLUMN behind boolean NOT NULL DEFAULT false`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE streaming.consumer_offsets DROP COLUMN IF EXISTS behind');
}
