import type { Knex } from 'knex';

/**
 * The inventory schema: master data (products, warehouses), current stock and the transaction
 * ledger. On-hand and reserved quantities are deliberately unconstrained: a valid event is a fact
 * and is applied even when it drives stock below zero (SPEC §3); data-quality rules report it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE SCHEMA IF NOT EXISTS inventory;

    CREATE TABLE inventory.products (
      sku            text PRIMARY KEY CHECK (sku <> '' AND sku = upper(btrim(sku))),
      name           text NOT NULL,
      category       text NOT NULL,
      unit_cost      numeric(12,2) NOT NULL CHECK (unit_cost >= 0),
      unit_price     numeric(12,2) NOT NULL CHECK (unit_price >= 0),
      lead_time_days integer NOT NULL CHECK (lead_time_days BETWEEN 1 AND 365),
      active         boolean NOT NULL DEFAULT true,
      created_at     timestamptz NOT NULL DEFAULT now(),
      updated_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX products_category_idx ON inventory.products (category);

    CREATE TABLE inventory.warehouses (
      warehouse_id         text PRIMARY KEY CHECK (warehouse_id <> '' AND warehouse_id = upper(btrim(warehouse_id))),
      name                 text NOT NULL,
      zone                 text NOT NULL,
      capacity             integer NOT NULL CHECK (capacity >= 0),
      timezone             text NOT NULL DEFAULT 'UTC',
      business_hours_start time NOT NULL DEFAULT '08:00',
      business_hours_end   time NOT NULL DEFAULT '18:00',
      weekend_operation    boolean NOT NULL DEFAULT false,
      created_at           timestamptz NOT NULL DEFAULT now(),
      updated_at           timestamptz NOT NULL DEFAULT now(),
      CHECK (business_hours_start < business_hours_end)
    );

    CREATE TABLE inventory.inventory_levels (
      sku               text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id      text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      quantity_on_hand  integer NOT NULL DEFAULT 0,
      quantity_reserved integer NOT NULL DEFAULT 0,
      reorder_point     numeric(14,2),
      safety_stock      numeric(14,2),
      last_event_at     timestamptz,
      updated_at        timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (sku, warehouse_id)
    );
    CREATE INDEX inventory_levels_warehouse_idx ON inventory.inventory_levels (warehouse_id);

    CREATE TABLE inventory.inventory_transactions (
      event_id       uuid PRIMARY KEY,
      sku            text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id   text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      event_type     text NOT NULL CHECK (event_type IN ('SALE','RESTOCK','RETURN','ADJUSTMENT','TRANSFER_IN',
                       'TRANSFER_OUT','RESERVATION','RESERVATION_RELEASE','INVENTORY_UPDATE')),
      quantity_change integer NOT NULL CHECK (quantity_change <> 0 AND abs(quantity_change) <= 1000000),
      occurred_at    timestamptz NOT NULL,
      reference_id   text,
      notes          text,
      ingested_at    timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT inventory_transactions_sign_check CHECK (CASE
        WHEN event_type IN ('SALE','TRANSFER_OUT','RESERVATION_RELEASE') THEN quantity_change < 0
        WHEN event_type IN ('RESTOCK','RETURN','TRANSFER_IN','RESERVATION') THEN quantity_change > 0
        ELSE true END)
    );
    -- Per-pair history (analytics windows, on-hand reconciliation) and time-range scans (aggregation).
    CREATE INDEX inventory_transactions_pair_time_idx
      ON inventory.inventory_transactions (sku, warehouse_id, occurred_at);
    CREATE INDEX inventory_transactions_occurred_idx ON inventory.inventory_transactions (occurred_at);
    -- Late-arrival detection: which hours received rows since the last aggregation.
    CREATE INDEX inventory_transactions_ingested_idx ON inventory.inventory_transactions (ingested_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP SCHEMA IF EXISTS inventory CASCADE');
}
