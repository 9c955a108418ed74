import type { Knex } from 'knex';

/**
 * Locks a run row for a change by hand (clear, mark) or a sweep: finishing tries neither wait for
 * it nor hold it, but their decisions apply only to the version of the run they read (see
 * `applyTransitions`), and the apply share-locks the row, so the two never interleave.
 *
 * The run's mapped instances are locked too, before the change touches any task instance: an
 * instance that finishes locks its own row and then its mapped task's (the trigger of migration
 * 0008 counts the instances there), so a change that took the mapped task's row first and then
 * waited for the instance would wait in a circle with it.
 */
export async function lockRun(
  trx: Knex.Transaction,
  runId: number,
): Promise<{ state: string; dag_id: string } | undefined> {
  const { rows } = await trx.raw('SELECT state, dag_id FROM orchestrator.dag_runs WHERE id = ? FOR UPDATE', [
    runId,
  ]);
  await trx.raw(
    `SELECT 1 FROM orchestrator.task_instances
      WHERE run_id = ? AND map_parent IS NOT NULL
      ORDER BY map_parent, map_index FOR UPDATE`,
    [runId],
  );
  return rows[0];
}
