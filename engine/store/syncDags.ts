import type { Knex } from 'knex';

export interface DagMeta {
  dagId: string;
  schedule: string | null;
  timezone: string;
  description: string | null;
  tags: string[];
}

/** Records the DAGs a process loaded; keeps `is_paused` as operators left it. */
export async function syncDags(knex: Knex, dags: DagMeta[]): Promise<void> {
  if (dags.length === 0) return;
  await knex.raw(
    `INSERT INTO orchestrator.dags (dag_id, schedule, timezone, description, tags, last_seen_at)
     SELECT d.dag_id, d.schedule, d.timezone, d.description,
            ARRAY(SELECT jsonb_array_elements_text(d.tags)), now()
     FROM jsonb_to_recordset(?::jsonb) AS d(dag_id text, schedule text, timezone text, description text, tags jsonb)
     ON CONFLICT (dag_id) DO UPDATE SET schedule = EXCLUDED.schedule, timezone = EXCLUDED.timezone,
       description = EXCLUDED.description, tags = EXCLUDED.tags, last_seen_at = now()`,
    [
      JSON.stringify(
        dags.map((d) => ({
          dag_id: d.dagId,
          schedule: d.schedule,
          timezone: d.timezone,
          description: d.description,
          tags: d.tags,
        })),
      ),
    ],
  );
}
