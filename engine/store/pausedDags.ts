import type { Knex } from 'knex';

/** Pause flags by DAG id; a DAG without a row is not paused. */
export async function pausedDags(
  knex: Knex,
): Promise<Map<string, { paused: boolean; pausedAt: Date | null }>> {
  const rows: Array<{ dag_id: string; is_paused: boolean; paused_at: Date | null }> = await knex(
    'orchestrator.dags',
  ).select('dag_id', 'is_paused', 'paused_at');
  return new Map(rows.map((r) => [r.dag_id, { paused: r.is_paused, pausedAt: r.paused_at }]));
}
