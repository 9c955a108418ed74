import type { Knex } from 'knex';

/**
 * Reopens a run after a change by hand and counts the change in its version, so that decisions
 * of finishing tries made from the states before it are not applied (see `applyTransitions`).
 */
export async function reopenRun(trx: Knex.Transaction, runId: number): Promise<void> {
  await trx.raw(
    `UPDATE orchestrator.dag_runs SET state = 'running', ended_at = NULL, version = version + 1 WHERE id = ?`,
    [runId],
  );
}
