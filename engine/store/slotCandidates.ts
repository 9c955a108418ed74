import type { Knex } from 'knex';
import { holding } from './slotHolding.js';

/** A task instance waiting in `scheduled` for a slot, in the order slots are granted. */
export interface SlotCandidate {
  run_id: number;
  task_id: string;
  dag_id: string;
  pool: string;
  pool_slots: number;
  /** Its run's cap on the DAG's active task instances (null: none). */
  max_active_tasks: number | null;
}

/** A pool as grants see it: its slots (null: unlimited) and the slots held in it now. */
export interface PoolUse {
  name: string;
  slots: number | null;
  used: number;
}

/**
 * What a slot grant decides from, in one snapshot: the pools' slots and the slots held in them,
 * the active task instances per DAG, and up to `limit` scheduled task instances of running runs,
 * highest priority first — run priority, then effective weight, then the oldest logical date,
 * then the longest wait. Instances of a full pool or of a DAG at its cap are left out before the
 * limit applies, so a long queue in one full pool never hides the waiting tasks of another.
 */
export async function slotCandidates(
  trx: Knex.Transaction,
  limit: number,
): Promise<{ candidates: SlotCandidate[]; pools: PoolUse[]; active: Map<string, number> }> {
  const { rows } = await trx.raw(
    `WITH held AS (
       SELECT pool, dag_id, sum(pool_slots)::int AS slots, count(*)::int AS n
         FROM orchestrator.task_instances WHERE ${holding()}
        GROUP BY pool, dag_id),
     pool_use AS (
       SELECT p.name, p.slots, coalesce(sum(h.slots), 0)::int AS used
         FROM orchestrator.pools p LEFT JOIN held h ON h.pool = p.name
        GROUP BY p.name, p.slots),
     dag_use AS (SELECT dag_id, sum(n)::int AS active FROM held GROUP BY dag_id),
     candidates AS (
       SELECT ti.run_id, ti.task_id, ti.dag_id, ti.pool, ti.pool_slots, r.max_active_tasks
         FROM orchestrator.task_instances ti
         JOIN orchestrator.dag_runs r ON r.id = ti.run_id
         LEFT JOIN pool_use pu ON pu.name = ti.pool
         LEFT JOIN dag_use du ON du.dag_id = ti.dag_id
        WHERE ti.state = 'scheduled' AND r.state = 'running'
          AND (pu.slots IS NULL OR pu.used < pu.slots)
          AND (r.max_active_tasks IS NULL OR coalesce(du.active, 0) < r.max_active_tasks)
        ORDER BY r.priority DESC, ti.priority_weight DESC, r.logical_date, ti.scheduled_at,
                 ti.run_id, ti.task_id
        LIMIT ?)
     SELECT (SELECT coalesce(jsonb_agg(c), '[]') FROM candidates c) AS candidates,
            (SELECT coalesce(jsonb_agg(p), '[]') FROM pool_use p
              WHERE p.name IN (SELECT pool FROM candidates)) AS pools,
            (SELECT coalesce(jsonb_object_agg(dag_id, active), '{}') FROM dag_use
              WHERE dag_id IN (SELECT dag_id FROM candidates)) AS active`,
    [limit],
  );
  const row = rows[0] as {
    candidates: SlotCandidate[];
    pools: PoolUse[];
    active: Record<string, number>;
  };
  return { candidates: row.candidates, pools: row.pools, active: new Map(Object.entries(row.active)) };
}
