import type { Knex } from 'knex';

/**
 * Supplier stock files loaded by the `supplier_stock_import` DAG (README "Supplier stock files"):
 * - `supplier_stock_files`: one row per file name, with its checksum, how many rows were loaded
 *   and rejected, and the rejected lines with their line numbers and reasons (nothing is dropped
 *   silently). Loading a file of the same name again replaces its rows: idempotent per file.
 * - `supplier_stock`: the valid rows, one per (file, line): how many units of a SKU the supplier
 *   can ship to one of our warehouses, and from when.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE inventory.supplier_stock_files (
      file_name     text PRIMARY KEY,
      sha256        text NOT NULL,
      rows_loaded   integer NOT NULL CHECK (rows_loaded >= 0),
      rows_rejected integer NOT NULL CHECK (rows_rejected >= 0),
      rejects       jsonb NOT NULL DEFAULT '[]',
      run_id        bigint,
      loaded_at     timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE inventory.supplier_stock (
      file_name    text NOT NULL REFERENCES inventory.supplier_stock_files (file_name) ON DELETE CASCADE,
      line_no      integer NOT NULL,
      sku          text NOT NULL REFERENCES inventory.products (sku),
      warehouse_id text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      quantity     integer NOT NULL CHECK (quantity >= 0),
      available_on date,
      loaded_at    timestamptz NOT NULL,
      PRIMARY KEY (file_name, line_no)
    );
    CREATE INDEX supplier_stock_pair_idx ON inventory.supplier_stock (sku, warehouse_id, loaded_at DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE inventory.supplier_stock; DROP TABLE inventory.supplier_stock_files;');
}
