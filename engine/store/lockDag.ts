import type { Knex } from 'knex';

/**
 * Serialises run creation for one DAG across every scheduler and CLI process until the
 * transaction ends (a transaction-level advisory lock is released by COMMIT, ROLLBACK or a
 * killed connection, so a killed scheduler never leaves it held).
 */
export async function lockDag(trx: Knex.Transaction, dagId: string): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('wareflow.dag'), hashtext(?))`, [dagId]);
}
