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

/**
 * Locks a run row FOR KEY SHARE: tries of one run finish side by side under it, but never
 * interleave with a change that holds the run FOR UPDATE (clear, mark, backfill adoption). Take
 * it before reading task states, so they are read after such a change has committed.
 */
export async function shareLockRun(
  trx: Knex.Transaction,
  runId: number,
): Promise<{ state: string; dag_id: string } | undefined> {
  const { rows } = await trx.raw(
    'SELECT state, dag_id FROM orchestrator.dag_runs WHERE id = ? FOR KEY SHARE',
    [runId],
  );
  return rows[0];
}
