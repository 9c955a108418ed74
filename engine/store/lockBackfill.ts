import type { Knex } from 'knex';

/** Serialises the advance of one backfill across processes, like `lockDag`. */
export async function lockBackfill(trx: Knex.Transaction, backfillId: number): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('wareflow.backfill'), ?::int)`, [backfillId]);
}
