import type { Knex } from 'knex';
import { holding } from './slotHolding.js';

/** What holds back a task instance waiting in `scheduled` for a slot, read in one snapshot. */
export interface SlotWaitRow {
  task_id: string;
  /** Its pool's slots (null: unlimited, or no row). */
  pool_total: number | null;
  /** Slots held in its pool now. */
  pool_used: number;
  /** Its DAG's active task instances now (what its run's `max_active_tasks` caps). */
  dag_active: number;
  /** Instances of the same pool waiting in `scheduled` that are granted before it. */
  ahead: number;
}

/**
 * The slot facts of a run's task instances waiting in `scheduled` (or of one of them): one
 * statement, each pool's use and the DAG's active count read once, and the grant order
 * (`slotCandidates`: run priority, weight, logical date, time scheduled) ranked once per pool
 * through the partial index of scheduled instances.
 */
export async function slotWaits(
  knex: Knex | Knex.Transaction,
  runId: number,
  taskId?: string,
): Promise<SlotWaitRow[]> {
  const { rows } = await knex.raw(
    `WITH w AS (
       SELECT ti.run_id, ti.task_id, ti.pool, ti.dag_id FROM orchestrator.task_instances ti
        WHERE ti.run_id = ? AND ti.state = 'scheduled' AND (?::text IS NULL OR ti.task_id = ?)),
     used AS (
       SELECT o.pool, coalesce(sum(o.pool_slots), 0)::int AS used FROM orchestrator.task_instances o
        WHERE o.pool IN (SELECT pool FROM w) AND ${holding('o')} GROUP BY o.pool),
     active AS (
       SELECT count(*)::int AS n FROM orchestrator.task_instances o
        WHERE o.dag_id IN (SELECT dag_id FROM w) AND ${holding('o')}),
     ranked AS (
       SELECT o.run_id, o.task_id,
              (row_number() OVER (PARTITION BY o.pool ORDER BY -ro.priority, -o.priority_weight,
                 ro.logical_date, o.scheduled_at, o.run_id, o.task_id) - 1)::int AS ahead
         FROM orchestrator.task_instances o
         JOIN orchestrator.dag_runs ro ON ro.id = o.run_id AND ro.state = 'running'
        WHERE o.state = 'scheduled' AND o.pool IN (SELECT pool FROM w))
     SELECT w.task_id, p.slots AS pool_total, coalesce(used.used, 0) AS pool_used,
            (SELECT n FROM active) AS dag_active, coalesce(ranked.ahead, 0) AS ahead
       FROM w
       LEFT JOIN orchestrator.pools p ON p.name = w.pool
       LEFT JOIN used ON used.pool = w.pool
       LEFT JOIN ranked ON ranked.run_id = w.run_id AND ranked.task_id = w.task_id
      ORDER BY w.task_id`,
    [runId, taskId ?? null, taskId ?? null],
  );
  return rows as SlotWaitRow[];
}
