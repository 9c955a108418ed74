import type { Knex } from 'knex';
import type { DagRunRow, TaskInstanceRow } from './types.js';

/** Runs, newest logical date first, optionally of one DAG and/or one state. */
export async function listRuns(
  knex: Knex,
  filter: { dagId?: string; state?: string; limit?: number; backfillId?: number } = {},
): Promise<DagRunRow[]> {
  const q = knex<DagRunRow>('orchestrator.dag_runs')
    .select('*')
    .orderBy('logical_date', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.dagId) q.where('dag_id', filter.dagId);
  if (filter.state) q.where('state', filter.state);
  if (filter.backfillId !== undefined) q.where('backfill_id', filter.backfillId);
  return q;
}

export async function getRunRow(knex: Knex, runId: number): Promise<DagRunRow | undefined> {
  return knex<DagRunRow>('orchestrator.dag_runs').where('id', runId).first();
}

export async function taskInstances(knex: Knex, runId: number): Promise<TaskInstanceRow[]> {
  return knex<TaskInstanceRow>('orchestrator.task_instances').where('run_id', runId).orderBy('task_id');
}

export interface TaskLogRow {
  id: number;
  try_number: number;
  logged_at: Date;
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** The stored log lines of a task instance, every try or one. */
export async function taskLogs(
  knex: Knex,
  runId: number,
  taskId: string,
  tryNumber?: number,
): Promise<TaskLogRow[]> {
  const q = knex('orchestrator.task_logs')
    .select('id', 'try_number', 'logged_at', 'level', 'message', 'fields')
    .where({ run_id: runId, task_id: taskId })
    .orderBy('id');
  if (tryNumber !== undefined) q.where('try_number', tryNumber);
  return q;
}

/** Latest run per DAG and run counts by state, for `dags list` and the dashboard. */
export async function dagSummaries(knex: Knex): Promise<
  Array<{
    dag_id: string;
    is_paused: boolean;
    last_logical_date: Date | null;
    last_state: string | null;
    running: number;
    failed: number;
    success: number;
  }>
> {
  const { rows } = await knex.raw(`
    SELECT d.dag_id, d.is_paused, l.logical_date AS last_logical_date, l.state AS last_state,
           coalesce(c.running, 0) AS running, coalesce(c.failed, 0) AS failed, coalesce(c.success, 0) AS success
      FROM orchestrator.dags d
      LEFT JOIN LATERAL (SELECT logical_date, state FROM orchestrator.dag_runs r
                          WHERE r.dag_id = d.dag_id ORDER BY logical_date DESC LIMIT 1) l ON true
      LEFT JOIN (SELECT dag_id, count(*) FILTER (WHERE state = 'running') AS running,
                        count(*) FILTER (WHERE state = 'failed') AS failed,
                        count(*) FILTER (WHERE state = 'success') AS success
                   FROM orchestrator.dag_runs GROUP BY dag_id) c ON c.dag_id = d.dag_id`);
  return rows;
}

/** Counts for the metrics gauges: runs and task instances by state. */
export async function stateCounts(knex: Knex): Promise<{
  runs: Array<{ dag_id: string; state: string; n: number }>;
  tasks: Array<{ dag_id: string; state: string; n: number }>;
}> {
  const runs = await knex.raw(
    `SELECT dag_id, state, count(*)::int AS n FROM orchestrator.dag_runs GROUP BY dag_id, state`,
  );
  const tasks = await knex.raw(
    `SELECT dag_id, state, count(*)::int AS n FROM orchestrator.task_instances GROUP BY dag_id, state`,
  );
  return { runs: runs.rows, tasks: tasks.rows };
}
