import type { Knex } from 'knex';
import type { QueuedTry } from './types.js';

/**
 * Tries waiting in PostgreSQL for longer than `olderThanMs` (queued, up for retry past their
 * retry time, a sensor up for reschedule past its next poke): their BullMQ job may have been lost (a crash between commit and enqueue, a flushed
 * Redis, a database restored from a backup taken before they ran), so the scheduler enqueues them
 * again under the same job id. `backfillId` keeps to the
 * runs of one backfill.
 */
export async function findStrandedTries(
  knex: Knex,
  olderThanMs: number,
  options: { limit?: number; backfillId?: number } = {},
): Promise<QueuedTry[]> {
  const { rows } = await knex.raw(
    `SELECT run_id, dag_id, task_id, pool, try_number, try_key FROM orchestrator.task_instances
      WHERE ((state = 'queued' AND queued_at < clock_timestamp() - make_interval(secs => ?))
         OR (state IN ('up_for_retry', 'up_for_reschedule')
             AND next_try_at < clock_timestamp() - make_interval(secs => ?)))
        AND (?::bigint IS NULL
             OR run_id IN (SELECT id FROM orchestrator.dag_runs WHERE backfill_id = ?::bigint))
      ORDER BY queued_at LIMIT ?`,
    [
      olderThanMs / 1000,
      olderThanMs / 1000,
      options.backfillId ?? null,
      options.backfillId ?? null,
      options.limit ?? 1000,
    ],
  );
  return rows.map(
    (r: {
      run_id: number;
      dag_id: string;
      task_id: string;
      pool: string;
      try_number: number;
      try_key: string;
    }) => ({
      runId: r.run_id,
      dagId: r.dag_id,
      taskId: r.task_id,
      pool: r.pool,
      tryNumber: r.try_number,
      tryKey: r.try_key,
    }),
  );
}
