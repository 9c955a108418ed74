import type { Knex } from 'knex';

/**
 * Open replenishment and the calibrated stock-out probability (SPEC §5, second round).
 *
 * `inventory.purchase_orders` is the ERP's feed of replenishment orders towards a pair: supplier
 * purchase orders (kind 'purchase', received as RESTOCK rows) and transfers from a sister
 * warehouse (kind 'transfer', received as TRANSFER_IN rows). A receipt is a ledger row of the
 * pair with the order's reference_id. What is on order at time T is Σ over orders placed ≤ T and
 * not cancelled by T of (quantity − received by T), never below 0 per order. The partial index on
 * the ledger finds an order's receipts without scanning the pair's sales.
 *
 * `analytics.processed_metrics.stockout_probability` is the calibrated model the alerts use, from
 * `quantity_on_order` and `next_receipt_at` (the earliest expected arrival of an open order);
 * `stockout_risk` keeps its first-round definition. Null on rows computed before this migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE inventory.purchase_orders (
      order_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind                text NOT NULL CHECK (kind IN ('purchase', 'transfer')),
      reference_id        text NOT NULL,
      sku                 text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id        text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      source_warehouse_id text REFERENCES inventory.warehouses (warehouse_id),
      quantity            integer NOT NULL CHECK (quantity > 0),
      ordered_at          timestamptz NOT NULL,
      expected_at         timestamptz NOT NULL CHECK (expected_at >= ordered_at),
      cancelled_at        timestamptz CHECK (cancelled_at >= ordered_at),
      CHECK ((kind = 'transfer') = (source_warehouse_id IS NOT NULL))
    );
    CREATE INDEX purchase_orders_pair_idx ON inventory.purchase_orders (sku, warehouse_id, ordered_at);
    CREATE INDEX inventory_transactions_receipt_idx
      ON inventory.inventory_transactions (sku, warehouse_id, reference_id)
      WHERE event_type IN ('RESTOCK', 'TRANSFER_IN');

    ALTER TABLE analytics.processed_metrics
      ADD COLUMN quantity_on_order integer CHECK (quantity_on_order >= 0),
      ADD COLUMN next_receipt_at timestamptz,
      ADD COLUMN stockout_probability double precision CHECK (stockout_probability BETWEEN 0 AND 1);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE analytics.processed_metrics DROP COLUMN stockout_probability, DROP COLUMN next_receipt_at,
      DROP COLUMN quantity_on_order;
    DROP INDEX inventory.inventory_transactions_receipt_idx;
    DROP TABLE inventory.purchase_orders;
  `);
}
