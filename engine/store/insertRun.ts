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
  /** `state`: `none` (the default), `queued` (its first try), or a state settled without running. */
  tasks: Array<{ taskId: string; pool: string; maxTries: number; state?: TaskState }>;
}

/**
 * Inserts a run and its task instances in one statement, or nothing when the DAG already has a
 * run for that logical date (the UNIQUE key makes creation exactly-once). Each task instance
 * starts in the state given (`none` when unset): the caller decides up front which tasks are
 * queued (their first try) or settled, and whether the run has already ended. A queued first try
 * gets its `queued` line in the try's log. Returns the run and the keys of the queued tries.
 */
export async function insertRun(
  knex: Knex | Knex.Transaction,
  run: NewRun,
): Promise<{ run: DagRunRow; tryKeys: Map<string, string> } | undefined> {
  const state = run.state ?? 'running';
  const { rows } = await knex.raw(
    `WITH run AS (
       INSERT INTO orchestrator.dag_runs
         (dag_id, run_type, logical_date, data_interval_start, data_interval_end, conf, backfill_id,
          state, ended_at)
       VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, CASE WHEN ? = 'running' THEN NULL ELSE clock_timestamp() END)
       ON CONFLICT (dag_id, logical_date) DO NOTHING
       RETURNING *),
     tis AS (
       INSERT INTO orchestrator.task_instances
         (run_id, dag_id, task_id, pool, max_tries, state, try_number, queued_at, ended_at)
       SELECT run.id, run.dag_id, t.task_id, t.pool, t.max_tries, t.state,
              CASE WHEN t.state = 'queued' THEN 1 ELSE 0 END,
              CASE WHEN t.state = 'queued' THEN clock_timestamp() END,
              CASE WHEN t.state IN ('skipped', 'upstream_failed') THEN clock_timestamp() END
         FROM run, jsonb_to_recordset(?::jsonb) AS t(task_id text, pool text, max_tries int, state text)
       RETURNING run_id, task_id, pool, state, try_key),
     logged AS (
       INSERT INTO orchestrator.task_logs (run_id, task_id, try_number, level, message, fields, source)
       SELECT run_id, task_id, 1, 'info', 'queued in pool ' || pool,
              jsonb_build_object('event', 'queued', 'pool', pool), 'engine'
         FROM tis WHERE state = 'queued')
     SELECT run.*,
            (SELECT coalesce(jsonb_object_agg(task_id, try_key), '{}') FROM tis WHERE state = 'queued')
              AS try_keys
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
      JSON.stringify(
        run.tasks.map((t) => ({
          task_id: t.taskId,
          pool: t.pool,
          max_tries: t.maxTries,
          state: t.state ?? 'none',
        })),
      ),
    ],
  );
  const row = rows[0] as (DagRunRow & { try_keys: Record<string, string> }) | undefined;
  if (!row) return undefined;
  const { try_keys, ...inserted } = row;
  return { run: inserted, tryKeys: new Map(Object.entries(try_keys)) };
}
