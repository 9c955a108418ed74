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
 * Locks a run row for a change by hand (clear, mark) or a sweep: finishing tries neither wait for
 * it nor hold it, but their decisions apply only to the version of the run they read (see
 * `applyTransitions`), and the apply share-locks the row, so the two never interleave.
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
