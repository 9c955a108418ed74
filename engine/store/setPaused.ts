import type { Knex } from 'knex';

/** Pauses or unpauses a DAG (creating its row when no scheduler has seen it yet). */
export async function setPaused(knex: Knex, dagId: string, paused: boolean): Promise<void> {
  await knex.raw(
    `INSERT INTO orchestrator.dags (dag_id, is_paused, paused_at) VALUES (?, ?, CASE WHEN ? THEN now() END)
     ON CONFLICT (dag_id) DO UPDATE SET is_paused = EXCLUDED.is_paused, paused_at = EXCLUDED.paused_at`,
    [dagId, paused, paused],
  );
}
