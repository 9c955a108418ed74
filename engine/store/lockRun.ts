import type { Knex } from 'knex';

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
