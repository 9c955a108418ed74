import type { Knex } from 'knex';

/**
 * Public ids for anomalies and alerts. The streaming sidecar derives them from what caused the
 * row (the event and the rule, see the stream pipeline's causeIds module), so a chunk whose
 * transaction is retried publishes its alerts again under the same `alertId` and inserts nothing
 * twice (`ON CONFLICT DO NOTHING` on the unique id). Rows written by other paths (the DAGs, older
 * rows) get a random id. The serial `id` stays the row's key inside the warehouse.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE analytics.alerts ADD COLUMN alert_id uuid NOT NULL DEFAULT gen_random_uuid();
    ALTER TABLE analytics.alerts ADD CONSTRAINT alerts_alert_id_key UNIQUE (alert_id);
    ALTER TABLE analytics.anomalies ADD COLUMN anomaly_id uuid NOT NULL DEFAULT gen_random_uuid();
    ALTER TABLE analytics.anomalies ADD CONSTRAINT anomalies_anomaly_id_key UNIQUE (anomaly_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE analytics.anomalies DROP COLUMN anomaly_id;
    ALTER TABLE analytics.alerts DROP COLUMN alert_id;
  `);
}
