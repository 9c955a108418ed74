import type { Knex } from 'knex';

/**
 * Serialises run creation for one DAG across every scheduler and CLI process until the
 * transaction ends (a transaction-level advisory lock is released by COMMIT, ROLLBACK or a
 * killed connection, so a killed scheduler never leaves it held).
 */
export async function lockDag(trx: Knex.Transaction, dagId: string): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('wareflow.dag'), hashtext(?))`, [dagId]);
}

/** Serialises the advance of one backfill across processes, like `lockDag`. */
export async function lockBackfill(trx: Knex.Transaction, backfillId: number): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('wareflow.backfill'), ?::int)`, [backfillId]);
}

/**
 * Locks a run row: every state change of a run's task instances happens under it, so two tasks
 * finishing at once cannot both miss that their common downstream task became ready.
 */
export async function lockRun(
  trx: Knex.Transaction,
  runId: number,
): Promise<{ state: string; dag_id: string } | undefined> {
  const { rows } = await trx.raw('SELECT state, dag_id FROM orchestrator.dag_runs WHERE id = ? FOR UPDATE', [
    runId,
  ]);
  return rows[0];
}
