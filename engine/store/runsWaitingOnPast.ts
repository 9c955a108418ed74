import type { Knex } from 'knex';

/**
 * Running runs of a DAG in which a `dependsOnPast` task still waits although its upstream tasks
 * have all ended and the same task of the previous run (manual runs left out) has succeeded or
 * been skipped, or there is none: nothing else will look at them, and the trigger rules may let
 * the task start now. Oldest logical date first.
 */
export async function runsWaitingOnPast(
  knex: Knex,
  dagId: string,
  tasks: Array<{ taskId: string; upstream: string[] }>,
  limit = 100,
): Promise<number[]> {
  const { rows } = await knex.raw(
    `WITH t AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS t(task_id text, upstream text[]))
     SELECT r.id FROM orchestrator.dag_runs r
      WHERE r.dag_id = ? AND r.state = 'running'
        AND EXISTS (
          SELECT 1 FROM t JOIN orchestrator.task_instances ti ON ti.run_id = r.id AND ti.task_id = t.task_id
           WHERE ti.state = 'none'
             AND NOT EXISTS (
               SELECT 1 FROM orchestrator.task_instances u
                WHERE u.run_id = r.id AND u.task_id = ANY(t.upstream)
                  AND u.state NOT IN ('success', 'failed', 'upstream_failed', 'skipped', 'cancelled'))
             AND coalesce((
               SELECT pti.state IN ('success', 'skipped')
                 FROM (SELECT p.id FROM orchestrator.dag_runs p
                        WHERE p.dag_id = r.dag_id AND p.run_type <> 'manual'
                          AND p.logical_date < r.logical_date
                        ORDER BY p.logical_date DESC LIMIT 1) p
                 LEFT JOIN orchestrator.task_instances pti ON pti.run_id = p.id AND pti.task_id = t.task_id),
               true))
      ORDER BY r.logical_date LIMIT ?`,
    [JSON.stringify(tasks.map((t) => ({ task_id: t.taskId, upstream: t.upstream }))), dagId, limit],
  );
  return rows.map((r: { id: number }) => r.id);
}
