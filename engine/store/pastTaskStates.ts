import type { Knex } from 'knex';
import type { TaskState } from './types.js';

/** A run (by id, or a run about to be created: its DAG and logical date) and the tasks asked about. */
export interface PastTarget {
  runId?: number;
  dagId: string;
  logicalDate?: Date;
  taskIds: string[];
}

/**
 * For each target, the states of the listed tasks in its previous run: the run of the same DAG
 * with the latest earlier logical date, manual runs left out (an ad-hoc run is no link in the
 * chain of intervals). One statement for any number of targets. Per target, the previous run's id
 * and its task states; absent when there is no previous run.
 */
export async function pastTaskStates(
  knex: Knex | Knex.Transaction,
  targets: PastTarget[],
): Promise<Array<{ runId: number; states: Map<string, TaskState> } | undefined>> {
  const out: Array<{ runId: number; states: Map<string, TaskState> } | undefined> = targets.map(
    () => undefined,
  );
  if (targets.length === 0) return out;
  const { rows } = await knex.raw(
    `SELECT t.i, p.id AS run_id, ti.task_id, ti.state
       FROM jsonb_to_recordset(?::jsonb)
         AS t(i int, run_id bigint, dag_id text, logical_date timestamptz, task_ids text[])
       LEFT JOIN orchestrator.dag_runs r ON r.id = t.run_id
       CROSS JOIN LATERAL (
         SELECT p.id FROM orchestrator.dag_runs p
          WHERE p.dag_id = t.dag_id AND p.run_type <> 'manual'
            AND p.logical_date < coalesce(t.logical_date, r.logical_date)
          ORDER BY p.logical_date DESC LIMIT 1) p
       LEFT JOIN orchestrator.task_instances ti ON ti.run_id = p.id AND ti.task_id = ANY(t.task_ids)`,
    [
      JSON.stringify(
        targets.map((t, i) => ({
          i,
          run_id: t.runId ?? null,
          dag_id: t.dagId,
          logical_date: t.logicalDate?.toISOString() ?? null,
          task_ids: t.taskIds,
        })),
      ),
    ],
  );
  for (const r of rows as Array<{ i: number; run_id: number; task_id: string | null; state: TaskState }>) {
    const entry = (out[r.i] ??= { runId: r.run_id, states: new Map() });
    if (r.task_id !== null) entry.states.set(r.task_id, r.state);
  }
  return out;
}
