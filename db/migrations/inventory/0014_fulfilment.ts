import type { Knex } from 'knex';

/**
 * The order, shipment and audit streams (inventory/fulfilment/CONTRACT.md).
 *
 * - `order_events`, `shipment_events`, `audit_events`: every accepted event once, keyed by its
 *   eventId and unique on its natural key (what it says happened), with the normalised event as
 *   `payload` for comparing a repeat. These are the facts; the metrics recount from them.
 * - `orders`, `order_lines`, `shipments`: their current state, projected by the same statement
 *   that inserts the events. Each event only sets the time of its own step (the earliest one
 *   wins), so the projection comes out the same whatever order the events arrive in.
 * - `analytics.daily_fulfilment_metrics`: the daily ETL's figures per warehouse and UTC day.
 *
 * The natural keys sort bytewise (`COLLATE "C"`): cheaper to index, and an order's events are a
 * range of it (`ORDER-…|`), which is how a rerun of the generator finds them without an index of
 * their own on the largest of these tables.
 *
 * No foreign keys to products or warehouses: an event is checked against master data when it is
 * admitted (as a ledger row is), and a fact stays a fact if the product is deleted later.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE inventory.order_events (
      event_id          uuid PRIMARY KEY,
      natural_key       text COLLATE "C" NOT NULL UNIQUE,
      order_id          text NOT NULL,
      warehouse_id      text NOT NULL,
      event_type        text NOT NULL CHECK (event_type IN
                          ('ORDER_CREATED', 'LINE_RESERVED', 'LINE_PICKED', 'ORDER_PACKED', 'ORDER_CANCELLED')),
      sku               text,
      quantity          integer CHECK (quantity > 0),
      occurred_at       timestamptz NOT NULL,
      payload           jsonb NOT NULL,
      source_partition  integer,
      ingested_at       timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX order_events_occurred_idx ON inventory.order_events (occurred_at);
    CREATE INDEX order_events_ingested_idx ON inventory.order_events (ingested_at);

    CREATE TABLE inventory.orders (
      order_id              text PRIMARY KEY,
      warehouse_id          text NOT NULL,
      customer_id           text,
      created_at            timestamptz,
      promised_dispatch_at  timestamptz,
      packed_at             timestamptz,
      cancelled_at          timestamptz,
      cancel_reason         text,
      updated_at            timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX orders_created_idx ON inventory.orders (created_at);
    CREATE INDEX orders_warehouse_created_idx ON inventory.orders (warehouse_id, created_at);
    CREATE INDEX orders_promised_idx ON inventory.orders (promised_dispatch_at);

    CREATE TABLE inventory.order_lines (
      order_id           text NOT NULL,
      sku                text NOT NULL,
      warehouse_id       text NOT NULL,
      ordered_quantity   integer,
      reserved_at        timestamptz,
      reserved_quantity  integer,
      picked_at          timestamptz,
      picked_quantity    integer,
      PRIMARY KEY (order_id, sku)
    );
    CREATE INDEX order_lines_reserved_idx ON inventory.order_lines (reserved_at);
    CREATE INDEX order_lines_picked_idx ON inventory.order_lines (picked_at);
    CREATE INDEX order_lines_pair_idx ON inventory.order_lines (sku, warehouse_id);

    CREATE TABLE inventory.shipment_events (
      event_id          uuid PRIMARY KEY,
      natural_key       text COLLATE "C" NOT NULL UNIQUE,
      shipment_id       text NOT NULL,
      order_id          text NOT NULL,
      warehouse_id      text NOT NULL,
      carrier           text NOT NULL,
      event_type        text NOT NULL CHECK (event_type IN ('DISPATCHED', 'IN_TRANSIT', 'DELIVERED', 'EXCEPTION')),
      exception_code    text,
      occurred_at       timestamptz NOT NULL,
      payload           jsonb NOT NULL,
      source_partition  integer,
      ingested_at       timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX shipment_events_shipment_idx ON inventory.shipment_events (shipment_id);
    CREATE INDEX shipment_events_occurred_idx ON inventory.shipment_events (occurred_at);
    CREATE INDEX shipment_events_order_idx ON inventory.shipment_events (order_id);

    CREATE TABLE inventory.shipments (
      shipment_id          text PRIMARY KEY,
      order_id             text NOT NULL,
      warehouse_id         text NOT NULL,
      carrier              text NOT NULL,
      dispatched_at        timestamptz,
      in_transit_at        timestamptz,
      delivered_at         timestamptz,
      exceptions           integer NOT NULL DEFAULT 0,
      last_exception_at    timestamptz,
      last_exception_code  text,
      updated_at           timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX shipments_order_idx ON inventory.shipments (order_id);
    CREATE INDEX shipments_dispatched_idx ON inventory.shipments (dispatched_at);
    CREATE INDEX shipments_delivered_idx ON inventory.shipments (delivered_at);

    CREATE TABLE inventory.audit_events (
      event_id           uuid PRIMARY KEY,
      natural_key        text COLLATE "C" NOT NULL UNIQUE,
      event_type         text NOT NULL CHECK (event_type IN ('STOCK_COUNT', 'MANUAL_ADJUSTMENT', 'MASTER_DATA_EDIT')),
      actor              text NOT NULL,
      warehouse_id       text,
      sku                text,
      entity             text NOT NULL,
      entity_id          text NOT NULL,
      field              text,
      old_value          text,
      new_value          text,
      quantity_change    integer,
      counted_quantity   integer,
      expected_quantity  integer,
      reference_id       text,
      reason_code        text,
      occurred_at        timestamptz NOT NULL,
      payload            jsonb NOT NULL,
      source_partition   integer,
      ingested_at        timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX audit_events_occurred_idx ON inventory.audit_events (occurred_at);
    CREATE INDEX audit_events_pair_idx ON inventory.audit_events (sku, warehouse_id, occurred_at);

    CREATE TABLE analytics.daily_fulfilment_metrics (
      as_of_date                date NOT NULL,
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
      PRIMARY KEY (as_of_date, warehouse_id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE analytics.daily_fulfilment_metrics;
    DROP TABLE inventory.audit_events;
    DROP TABLE inventory.shipments;
    DROP TABLE inventory.shipment_events;
    DROP TABLE inventory.order_lines;
    DROP TABLE inventory.orders;
    DROP TABLE inventory.order_events;
  `);
}
