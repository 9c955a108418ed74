import type { Knex } from 'knex';
import type { DagRunRow, RunState, RunTypeName, TaskState } from './types.js';

export interface NewRun {
  dagId: string;
  runType: RunTypeName;
  logicalDate: Date;
  dataIntervalStart: Date;
  dataIntervalEnd: Date;
  conf: Record<string, unknown>;
  backfillId?: number | null;
  /** @defaultValue 'running' */
  state?: RunState;
  /** The run's priority tier (`dag_runs.priority`). @defaultValue 0 */
  priority?: number;
  /** The DAG's cap on active task instances. @defaultValue none */
  maxActiveTasks?: number | null;
  /**
   * `state`: `none` (the default), `queued` (its first try is due: it is queued, or `scheduled`
   * when its pool has a limit or its DAG a cap), or a state settled without running.
   */
  tasks: Array<{
    taskId: string;
    pool: string;
    maxTries: number;
    state?: TaskState;
    poolSlots?: number;
    priorityWeight?: number;
  }>;
}

/**
 * Inserts a run and its task instances in one statement, or nothing when the DAG already has a
 * run for that logical date (the UNIQUE key makes creation exactly-once). Each task instance
 * starts in the state given (`none` when unset): the caller decides up front which tasks are
 * queued (their first try) or settled, and whether the run has already ended. A task due to start
 * whose pool has a limit, or whose DAG has a cap, waits in `scheduled` for a slot grant instead
 * (see `grantSlots`); the others are queued at once. A queued first try gets its `queued` line in
 * the try's log, a scheduled one its `scheduled` line. Returns the run, the keys of the queued
 * tries and the tasks left scheduled.
 */
export async function insertRun(
  knex: Knex | Knex.Transaction,
  run: NewRun,
): Promise<{ run: DagRunRow; tryKeys: Map<string, string>; scheduled: string[] } | undefined> {
  const state = run.state ?? 'running';
  const { rows } = await knex.raw(
    `WITH run AS (
       INSERT INTO orchestrator.dag_runs
         (dag_id, run_type, logical_date, data_interval_start, data_interval_end, conf, backfill_id,
          state, ended_at, priority, max_active_tasks)
       VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, CASE WHEN ? = 'running' THEN NULL ELSE clock_timestamp() END,
               ?, ?)
       ON CONFLICT (dag_id, logical_date) DO NOTHING
       RETURNING *),
     t AS (
       SELECT t.*, CASE WHEN t.state = 'queued'
                         AND ((SELECT max_active_tasks FROM run) IS NOT NULL OR p.slots IS NOT NULL)
                        THEN 'scheduled' ELSE t.state END AS start_state
         FROM jsonb_to_recordset(?::jsonb)
           AS t(task_id text, pool text, max_tries int, state text, pool_slots int, priority_weight int)
         LEFT JOIN orchestrator.pools p ON p.name = t.pool),
     tis AS (
       INSERT INTO orchestrator.task_instances
         (run_id, dag_id, task_id, pool, max_tries, state, try_number, queued_at, ended_at,
          pool_slots, priority_weight, scheduled_at)
       SELECT run.id, run.dag_id, t.task_id, t.pool, t.max_tries, t.start_state,
              CASE WHEN t.start_state = 'queued' THEN 1 ELSE 0 END,
              CASE WHEN t.start_state = 'queued' THEN clock_timestamp() END,
              CASE WHEN t.start_state IN ('skipped', 'upstream_failed') THEN clock_timestamp() END,
              t.pool_slots, t.priority_weight,
              CASE WHEN t.start_state IN ('queued', 'scheduled') THEN clock_timestamp() END
         FROM run, t
       RETURNING run_id, task_id, pool, state, try_key),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT run_id, task_id, 1, 'info',
              CASE state WHEN 'queued' THEN 'queued in pool ' || pool
                         ELSE 'scheduled: waiting for a slot in pool ' || pool END,
              jsonb_build_object('event', state, 'pool', pool), 'engine'
         FROM tis WHERE state IN ('queued', 'scheduled'))
     SELECT run.*,
            (SELECT coalesce(jsonb_object_agg(task_id, try_key), '{}') FROM tis WHERE state = 'queued')
              AS try_keys,
            (SELECT coalesce(jsonb_agg(task_id), '[]') FROM tis WHERE state = 'scheduled') AS scheduled
       FROM run`,
    [
      run.dagId,
      run.runType,
      run.logicalDate,
      run.dataIntervalStart,
      run.dataIntervalEnd,
      JSON.stringify(run.conf),
      run.backfillId ?? null,
      state,
      state,
      run.priority ?? 0,
      run.maxActiveTasks ?? null,
      JSON.stringify(
        run.tasks.map((t) => ({
          task_id: t.taskId,
          pool: t.pool,
          max_tries: t.maxTries,
          state: t.state ?? 'none',
          pool_slots: t.poolSlots ?? 1,
          priority_weight: t.priorityWeight ?? 1,
        })),
      ),
    ],
  );
  const row = rows[0] as (DagRunRow & { try_keys: Record<string, string>; scheduled: string[] }) | undefined;
  if (!row) return undefined;
  const { try_keys, scheduled, ...inserted } = row;
  return { run: inserted, tryKeys: new Map(Object.entries(try_keys)), scheduled };
}
