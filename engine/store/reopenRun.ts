import type { Knex } from 'knex';

/**
 * Reopens a run after a change by hand and counts the change in its version, so that decisions
 * of finishing tries made from the states before it are not applied (see `applyTransitions`). A
 * run that had ended gets `reopened_at`, from which its run timeout counts again.
 */
export async function reopenRun(trx: Knex.Transaction, runId: number): Promise<void> {
  await trx.raw(
    `UPDATE orchestrator.dag_runs
        SET state = 'running', ended_at = NULL, version = version + 1,
            reopened_at = CASE WHEN state = 'running' THEN reopened_at ELSE clock_timestamp() END
      WHERE id = ?`,
    [runId],
  );
}
