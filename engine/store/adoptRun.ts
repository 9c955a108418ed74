import type { Knex } from 'knex';

/** Makes an existing run part of a backfill (when the backfill reruns it). */
export async function adoptRun(trx: Knex.Transaction, runId: number, backfillId: number): Promise<void> {
  await trx.raw('UPDATE orchestrator.dag_runs SET backfill_id = ? WHERE id = ?', [backfillId, runId]);
}
