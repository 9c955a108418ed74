import type { Knex } from 'knex';

/**
 * Counts for the metrics gauges: runs and task instances by state. An expanded mapped task counts
 * by its instances, not also by its own row.
 */
export async function stateCounts(knex: Knex): Promise<{
  runs: Array<{ dag_id: string; state: string; n: number }>;
  tasks: Array<{ dag_id: string; state: string; n: number }>;
}> {
  const runs = await knex.raw(
    `SELECT dag_id, state, count(*)::int AS n FROM orchestrator.dag_runs GROUP BY dag_id, state`,
  );
  const tasks = await knex.raw(
    `SELECT dag_id, state, count(*)::int AS n FROM orchestrator.task_instances
      WHERE map_count IS NULL GROUP BY dag_id, state`,
  );
  return { runs: runs.rows, tasks: tasks.rows };
}
