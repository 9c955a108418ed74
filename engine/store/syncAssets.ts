import type { Knex } from 'knex';

export interface AssetDeclaration {
  assetKey: string;
  partitioning: string | null;
  description: string | null;
  dagId: string;
  /** '' for a DAG-level declaration (`on_assets`, `wait_for`). */
  taskId: string;
  role: 'outlet' | 'inlet' | 'on_assets' | 'wait_for';
}

/**
 * Records the assets the loaded DAGs declare and who declares them how, in one statement: the
 * declarations of every DAG synced are replaced (a removed outlet disappears from the lineage), the
 * assets themselves are kept (their events stay readable).
 */
export async function syncAssets(knex: Knex, dagIds: string[], decls: AssetDeclaration[]): Promise<void> {
  if (dagIds.length === 0) return;
  await knex.raw(
    `WITH d AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb)
         AS d(asset_key text, partitioning text, description text, dag_id text, task_id text, role text)),
     assets AS (
       INSERT INTO orchestrator.assets (asset_key, partitioning, description, last_seen_at)
       SELECT DISTINCT ON (asset_key) asset_key, partitioning, description, now()
         FROM d ORDER BY asset_key, description NULLS LAST
       ON CONFLICT (asset_key) DO UPDATE SET partitioning = EXCLUDED.partitioning,
         description = coalesce(EXCLUDED.description, orchestrator.assets.description), last_seen_at = now()
       RETURNING asset_key),
     gone AS (
       DELETE FROM orchestrator.asset_declarations a
        WHERE a.dag_id = ANY(?::text[])
          AND NOT EXISTS (SELECT 1 FROM d WHERE (d.asset_key, d.dag_id, d.task_id, d.role)
                                              = (a.asset_key, a.dag_id, a.task_id, a.role)))
     INSERT INTO orchestrator.asset_declarations (asset_key, dag_id, task_id, role)
     SELECT d.asset_key, d.dag_id, d.task_id, d.role FROM d JOIN assets USING (asset_key)
     ON CONFLICT DO NOTHING`,
    [
      JSON.stringify(
        decls.map((d) => ({
          asset_key: d.assetKey,
          partitioning: d.partitioning,
          description: d.description,
          dag_id: d.dagId,
          task_id: d.taskId,
          role: d.role,
        })),
      ),
      dagIds,
    ],
  );
}
