import type { Knex } from 'knex';

/**
 * The data sets `wareflow eval alerts` made in this database, one row per data set (the labelled
 * history, the clean one). The ledger's size and newest ingestion time when the eval finished are
 * its fingerprint: a later run replaces the ledger without asking only while it still matches the
 * newest row, so a ledger that anything else wrote (or added to) is never wiped by accident.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE inventory.eval_runs (
      id                 bigserial PRIMARY KEY,
      dataset            text NOT NULL CHECK (dataset IN ('labelled', 'clean')),
      options            jsonb NOT NULL,
      ledger_rows        bigint NOT NULL,
      ledger_ingested_at timestamptz,
      report             jsonb,
      finished_at        timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE inventory.eval_runs');
}
