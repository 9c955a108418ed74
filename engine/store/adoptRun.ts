import type { Knex } from 'knex';

/** Makes an existing run part of a backfill (when the backfill reruns it), at its priority. */
export async function adoptRun(
  trx: Knex.Transaction,
  runId: number,
  backfill: { id: number; priority: number },
): Promise<void> {
  await trx.raw('UPDATE orchestrator.dag_runs SET backfill_id = ?, priority = ? WHERE id = ?', [
    backfill.id,
    backfill.priority,
    runId,
  ]);
}
