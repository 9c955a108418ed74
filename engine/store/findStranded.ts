import type { Knex } from 'knex';
import type { QueuedTry } from './types.js';

/**
 * Tries waiting in PostgreSQL for longer than `olderThanMs` (queued, or up for retry past their
 * retry time): their BullMQ job may have been lost (a crash between commit and enqueue, a flushed
 * Redis), so the scheduler enqueues them again under the same job id. `backfillId` keeps to the
 * runs of one backfill.
 */
export async function findStrandedTries(
  knex: Knex,
  olderThanMs: number,
  options: { limit?: number; backfillId?: number } = {},
): Promise<QueuedTry[]> {
  const { rows } = await knex.raw(
    `SELECT run_id, dag_id, task_id, pool, try_number FROM orchestrator.task_instances
      WHERE ((state = 'queued' AND queued_at < clock_timestamp() - make_interval(secs => ?))
         OR (state = 'up_for_retry' AND next_try_at < clock_timestamp() - make_interval(secs => ?)))
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
    (r: { run_id: number; dag_id: string; task_id: string; pool: string; try_number: number }) => ({
      runId: r.run_id,
      dagId: r.dag_id,
      taskId: r.task_id,
      pool: r.pool,
      tryNumber: r.try_number,
    }),
  );
}

/** Running tries whose worker has not sent a heartbeat for `staleMs`: their worker is gone. */
export async function findZombies(
  knex: Knex,
  staleMs: number,
  limit = 1000,
): Promise<
  Array<{
    runId: number;
    dagId: string;
    taskId: string;
    tryNumber: number;
    workerId: string | null;
    heartbeatAt: Date;
  }>
> {
  const { rows } = await knex.raw(
    `SELECT run_id, dag_id, task_id, try_number, worker_id, heartbeat_at FROM orchestrator.task_instances
      WHERE state = 'running' AND heartbeat_at < clock_timestamp() - make_interval(secs => ?)
      ORDER BY heartbeat_at LIMIT ?`,
    [staleMs / 1000, limit],
  );
  return rows.map(
    (r: {
      run_id: number;
      dag_id: string;
      task_id: string;
      try_number: number;
      worker_id: string | null;
      heartbeat_at: Date;
    }) => ({
      runId: r.run_id,
      dagId: r.dag_id,
      taskId: r.task_id,
      tryNumber: r.try_number,
      workerId: r.worker_id,
      heartbeatAt: r.heartbeat_at,
    }),
  );
}

/**
 * Running runs none of whose task instances is queued, running or up for retry: nothing will
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
                         WHERE ti.run_id = r.id AND ti.state IN ('queued', 'running', 'up_for_retry'))
      ORDER BY r.id LIMIT ?`,
    [options.backfillId ?? null, options.backfillId ?? null, options.limit ?? 100],
  );
  return rows;
}
