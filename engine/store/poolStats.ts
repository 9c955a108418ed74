import type { Knex } from 'knex';
import { holding } from './slotHolding.js';

/** A pool with what its task instances hold and wait for right now. */
export interface PoolRow {
  name: string;
  /** null: unlimited. */
  slots: number | null;
  description: string | null;
  updated_at: Date | null;
  updated_by: string | null;
  /** Slots held by its queued, running and retrying task instances. */
  occupied_slots: number;
  running: number;
  /** Queued or up for retry: holding a slot, waiting for a worker (or their retry time). */
  queued: number;
  /** Waiting in `scheduled` for a slot. */
  scheduled: number;
}

/**
 * Every pool: those with a row (synced from DAG code, or set by an operator) and any other a task
 * instance names, with its counts; `names` keeps to some pools.
 */
export async function poolStats(
  knex: Knex | Knex.Transaction,
  names?: readonly string[],
): Promise<PoolRow[]> {
  const { rows } = await knex.raw(
    `WITH counts AS (
       SELECT pool,
              coalesce(sum(pool_slots) FILTER (WHERE ${holding()}), 0)::int AS occupied_slots,
              count(*) FILTER (WHERE state = 'running')::int AS running,
              count(*) FILTER (WHERE state IN ('queued', 'up_for_retry'))::int AS queued,
              count(*) FILTER (WHERE state = 'scheduled')::int AS scheduled
         FROM orchestrator.task_instances
        WHERE ${holding()} OR state = 'scheduled'
        GROUP BY pool)
     SELECT coalesce(p.name, c.pool) AS name, p.slots, p.description, p.updated_at, p.updated_by,
            coalesce(c.occupied_slots, 0) AS occupied_slots, coalesce(c.running, 0) AS running,
            coalesce(c.queued, 0) AS queued, coalesce(c.scheduled, 0) AS scheduled
       FROM orchestrator.pools p FULL JOIN counts c ON c.pool = p.name
      WHERE ?::text[] IS NULL OR coalesce(p.name, c.pool) = ANY(?::text[])
      ORDER BY 1`,
    [names ? [...names] : null, names ? [...names] : null],
  );
  return rows;
}
