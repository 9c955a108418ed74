import type { Knex } from 'knex';
import type { TaskState } from './types.js';
import { holding } from './slotHolding.js';

/** What a task instance's wait depends on, read in one snapshot (see `whyWaiting`). */
export interface WaitFactsRow {
  state: TaskState;
  dag_id: string;
  run_state: string;
  pool: string;
  pool_slots: number;
  next_try_at: Date | null;
  /** The pool's slots (null: unlimited, or no row). */
  pool_total: number | null;
  /** Slots held in the pool now. */
  pool_used: number;
  max_active_tasks: number | null;
  /** The DAG's active task instances now. */
  dag_active: number;
  /** Instances of the same pool waiting in `scheduled` that are granted before this one. */
  ahead: number;
  /** The states of every task instance of the run, by task id. */
  states: Record<string, TaskState>;
}

/** The facts of one task instance's wait, or undefined when there is no such instance. */
export async function waitFacts(
  knex: Knex | Knex.Transaction,
  runId: number,
  taskId: string,
): Promise<WaitFactsRow | undefined> {
  const { rows } = await knex.raw(
    `SELECT ti.state, ti.dag_id, r.state AS run_state, ti.pool, ti.pool_slots, ti.next_try_at,
            p.slots AS pool_total, r.max_active_tasks,
            (SELECT coalesce(sum(o.pool_slots), 0)::int FROM orchestrator.task_instances o
              WHERE o.pool = ti.pool AND ${holding('o')}) AS pool_used,
            (SELECT count(*)::int FROM orchestrator.task_instances o
              WHERE o.dag_id = ti.dag_id AND ${holding('o')}) AS dag_active,
            CASE WHEN ti.state = 'scheduled' THEN
              (SELECT count(*)::int FROM orchestrator.task_instances o
                 JOIN orchestrator.dag_runs ro ON ro.id = o.run_id
                WHERE o.pool = ti.pool AND o.state = 'scheduled' AND ro.state = 'running'
                  AND (-ro.priority, -o.priority_weight, ro.logical_date, o.scheduled_at, o.run_id, o.task_id)
                    < (-r.priority, -ti.priority_weight, r.logical_date, ti.scheduled_at, ti.run_id, ti.task_id))
            ELSE 0 END AS ahead,
            (SELECT jsonb_object_agg(o.task_id, o.state) FROM orchestrator.task_instances o
              WHERE o.run_id = ti.run_id) AS states
       FROM orchestrator.task_instances ti
       JOIN orchestrator.dag_runs r ON r.id = ti.run_id
       LEFT JOIN orchestrator.pools p ON p.name = ti.pool
      WHERE ti.run_id = ? AND ti.task_id = ?`,
    [runId, taskId],
  );
  return rows[0];
}
