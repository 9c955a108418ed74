import type { Knex } from 'knex';

/** Ends a running run as `cancelled`, with who and why; false when it was not running. */
export async function markRunCancelled(
  trx: Knex.Transaction,
  runId: number,
  cancel: { by: string; reason: string },
): Promise<boolean> {
  const { rowCount } = await trx.raw(
    `UPDATE orchestrator.dag_runs
        SET state = 'cancelled', ended_at = clock_timestamp(), version = version + 1,
            cancelled_by = ?, cancel_reason = ?
      WHERE id = ? AND state = 'running'`,
    [cancel.by, cancel.reason, runId],
  );
  return (rowCount ?? 0) > 0;
}
