import type { Knex } from 'knex';

/** A run whose `dependsOnPast` tasks just ended (succeeded or were skipped). */
export interface EndedInChain {
  runId: number;
  taskIds: string[];
}

/**
 * The running runs for which a given run is the previous one (`pastTaskStates`: the latest
 * earlier run of the DAG, manual runs left out) and in which one of the given tasks still waits
 * (state `none`): the runs that the end of those tasks may let go on. A manual run is no link in
 * the chain, so nothing follows it. One statement for any number of runs, on the (dag_id,
 * logical_date) index. Each comes with the run it follows (`after`).
 */
export async function runsNextInChain(
  knex: Knex | Knex.Transaction,
  ended: EndedInChain[],
): Promise<Array<{ runId: number; after: number }>> {
  if (ended.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT DISTINCT n.id, r.id AS after
       FROM jsonb_to_recordset(?::jsonb) AS t(run_id bigint, task_ids text[])
       JOIN orchestrator.dag_runs r ON r.id = t.run_id AND r.run_type <> 'manual'
       CROSS JOIN LATERAL (
         SELECT min(p.logical_date) AS at FROM orchestrator.dag_runs p
          WHERE p.dag_id = r.dag_id AND p.run_type <> 'manual' AND p.logical_date > r.logical_date) following
       JOIN orchestrator.dag_runs n
         ON n.dag_id = r.dag_id AND n.logical_date > r.logical_date
        AND (following.at IS NULL OR n.logical_date <= following.at)
      WHERE n.state = 'running'
        AND EXISTS (SELECT 1 FROM orchestrator.task_instances ti
                     WHERE ti.run_id = n.id AND ti.task_id = ANY(t.task_ids) AND ti.state = 'none')
      ORDER BY n.id`,
    [JSON.stringify(ended.map((e) => ({ run_id: e.runId, task_ids: e.taskIds })))],
  );
  return rows.map((r: { id: string | number; after: string | number }) => ({
    runId: Number(r.id),
    after: Number(r.after),
  }));
}
