import type { Knex } from 'knex';

/**
 * The stream's fulfilment windows (inventory/fulfilment/CONTRACT.md §8, streaming/README.md):
 * per event-time tumbling window (15 minutes, 1 hour) and warehouse, the fulfilment figures of
 * the one definition (`fulfilmentMetricsSql`) over the window. The sidecar recomputes a window in
 * the transaction of every chunk whose new events can change it, so a row always equals the
 * definition over the events stored when it was written; a window with nothing to count has no
 * row. `computed_at` is when the row last changed.
 *
 * The key leads with the kind and start: a chunk replaces a window's rows by it, and the
 * dashboard reads a kind's recent windows by it. A few thousand rows a day for a warehouse network
 * (96 + 24 windows per warehouse and day): no partitioning.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE streaming.fulfilment_windows (
      window_kind               text NOT NULL CHECK (window_kind IN ('tumbling_15m', 'tumbling_1h')),
      window_start              timestamptz NOT NULL,
      window_end                timestamptz NOT NULL CHECK (window_end > window_start),
      warehouse_id              text NOT NULL,
      orders_created            integer NOT NULL,
      lines_ordered             integer NOT NULL,
      units_ordered             integer NOT NULL,
      units_reserved_same_day   integer NOT NULL,
      fill_rate                 double precision,
      backorders                integer NOT NULL,
      lines_picked              integer NOT NULL,
      order_to_pick_p50_s       double precision,
      order_to_pick_p95_s       double precision,
      shipments_dispatched      integer NOT NULL,
      pick_to_dispatch_p50_s    double precision,
      pick_to_dispatch_p95_s    double precision,
      orders_due                integer NOT NULL,
      dispatched_on_time        integer NOT NULL,
      on_time_dispatch_rate     double precision,
      shipments_delivered       integer NOT NULL,
      delivery_p50_s            double precision,
      delivery_p95_s            double precision,
      exceptions                integer NOT NULL,
      shipments_with_exception  integer NOT NULL,
      computed_at               timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (window_kind, window_start, warehouse_id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS streaming.fulfilment_windows');
}
