import type { Knex } from 'knex';

/**
 * Running runs none of whose task instances is scheduled, queued, running, up for retry or reschedule: nothing will
 * advance them any more (a worker died between recording a try and its second look at the run),
 * so the scheduler re-evaluates them under the run lock.
 */
export async function findIdleRuns(
  knex: Knex,
  options: { limit?: number; backfillId?: number } = {},
): Promise<Array<{ id: number; dag_id: string }>> {
  const { rows } = await knex.raw(
    `SELECT r.id, r.dag_id FROM orchestrator.dag_runs r
      WHERE r.state = 'running' AND (?::bigint IS NULL OR r.backfill_id = ?::bigint)
        AND NOT EXISTS (SELECT 1 FROM orchestrator.task_instances ti
                         WHERE ti.run_id = r.id AND ti.state IN ('scheduled', 'queued', 'running', 'up_for_retry', 'up_for_reschedule'))
      ORDER BY r.id LIMIT ?`,
    [options.backfillId ?? null, options.backfillId ?? null, options.limit ?? 100],
  );
  return rows;
}
