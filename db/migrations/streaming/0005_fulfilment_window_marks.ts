import type { Knex } from 'knex';

/**
 * The windows of `fulfilment_windows` (0004) that must be recomputed (streaming/README.md,
 * "Fulfilment windows"): a chunk of the order or shipment topics writes a mark per window its new
 * events changed, in its transaction with its events and offset (so never lost, never for events
 * that did not commit), and the sidecar's window refresh removes the marks it recomputed.
 * Append-only with its own id, no unique key: a chunk's insert never waits for a refresh that is
 * deleting an earlier mark of the same window, and the refresh deletes exactly the marks it read.
 *
 * From here on `fulfilment_windows` is written by that refresh, no longer in the chunk's
 * transaction (0004's comment says how it was first shipped).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE streaming.fulfilment_window_marks (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      window_kind   text NOT NULL,
      window_start  timestamptz NOT NULL,
      window_end    timestamptz NOT NULL,
      marked_at     timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS streaming.fulfilment_window_marks');
}
