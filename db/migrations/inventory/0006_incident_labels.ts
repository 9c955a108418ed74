import type { Knex } from 'knex';

/**
 * Ground truth of a generated data set: the incidents `wareflow generate --inject-anomalies`
 * put into the history, and every real stock-out in it (inventory/generator/LABELS.md). Written
 * and replaced together with the ledger of the pairs it belongs to, so alerts, anomalies and
 * data-quality results can be joined to it in SQL. `sku` is null for a warehouse-wide incident;
 * `ended_at` (inclusive) is null while the fault is still in the data.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE inventory.incident_labels (
      incident_id   uuid PRIMARY KEY,
      incident_type text NOT NULL,
      sku           text REFERENCES inventory.products (sku),
      warehouse_id  text NOT NULL REFERENCES inventory.warehouses (warehouse_id),
      started_at    timestamptz NOT NULL,
      ended_at      timestamptz CHECK (ended_at >= started_at),
      detail        jsonb NOT NULL DEFAULT '{}'::jsonb
    );
    CREATE INDEX incident_labels_pair_idx ON inventory.incident_labels (sku, warehouse_id, started_at);
    CREATE INDEX incident_labels_type_idx ON inventory.incident_labels (incident_type, started_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE inventory.incident_labels');
}
