import type { Knex } from 'knex';

/**
 * `shipments_order_dispatched_idx` replaces `shipments_order_idx`: an order's shipments in
 * dispatch order. The fulfilment metrics look up each due order's first dispatch
 * (`min(dispatched_at) … WHERE order_id = …`); with the order alone in the index the planner may
 * answer a min() by walking the whole dispatch-time index and filtering by order, which it chose
 * on tables without statistics (a fresh load) and took minutes per day of metrics. With both
 * columns the first dispatch is one index probe whatever the statistics say, and every look-up by
 * order alone is served as before.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX shipments_order_dispatched_idx ON inventory.shipments (order_id, dispatched_at);
    DROP INDEX inventory.shipments_order_idx;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE INDEX shipments_order_idx ON inventory.shipments (order_id);
    DROP INDEX inventory.shipments_order_dispatched_idx;
  `);
}
