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
    `SELECT ti.run_id, ti.dag_id, ti.task_id, ti.pool, ti.try_number, ti.try_key,
            (SELECT r.priority FROM orchestrator.dag_runs r WHERE r.id = ti.run_id) AS priority
       FROM orchestrator.task_instances ti
      WHERE ((ti.state = 'queued' AND ti.queued_at < clock_timestamp() - make_interval(secs => ?))
         OR (ti.state IN ('up_for_retry', 'up_for_reschedule')
             AND ti.next_try_at < clock_timestamp() - make_interval(secs => ?)))
        AND (?::bigint IS NULL
             OR ti.run_id IN (SELECT id FROM orchestrator.dag_runs WHERE backfill_id = ?::bigint))
      ORDER BY ti.queued_at LIMIT ?`,
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
      priority: number;
    }) => ({
      runId: r.run_id,
      dagId: r.dag_id,
      taskId: r.task_id,
      pool: r.pool,
      tryNumber: r.try_number,
      tryKey: r.try_key,
      runPriority: r.priority,
    }),
  );
}
