import type { Knex } from 'knex';

/**
 * Ends a running run as `cancelled`, with who and why (or records them on a run that has just
 * ended cancelled because its last tasks were); false when the run was in another state.
 */
export async function markRunCancelled(
  trx: Knex.Transaction,
  runId: number,
  cancel: { by: string; reason: string },
): Promise<boolean> {
  const { rowCount } = await trx.raw(
    `UPDATE orchestrator.dag_runs
        SET state = 'cancelled', ended_at = coalesce(ended_at, clock_timestamp()), version = version + 1,
            cancelled_by = ?, cancel_reason = ?
      WHERE id = ? AND state IN ('running', 'cancelled')`,
    [cancel.by, cancel.reason, runId],
  );
  return (rowCount ?? 0) > 0;
}
