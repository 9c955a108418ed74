import type { Knex } from 'knex';
import type { AssetSummaryRow } from './types.js';

const DECLARATIONS = `coalesce((SELECT jsonb_agg(jsonb_build_object('dag_id', d.dag_id, 'task_id', d.task_id, 'role', d.role)
                              ORDER BY d.dag_id, d.task_id, d.role)
                      FROM orchestrator.asset_declarations d WHERE d.asset_key = a.asset_key), '[]')`;

/**
 * Every known asset (or one), with who declares it, its event and partition counts, its newest
 * partition (partition keys sort as they run: YYYY-MM-DD, YYYY-Www) and its latest event, which a
 * backfill makes an older partition than the newest.
 */
export async function listAssets(knex: Knex, assetKey?: string): Promise<AssetSummaryRow[]> {
  const { rows } = await knex.raw(
    `SELECT a.asset_key, a.partitioning, a.description, ${DECLARATIONS} AS declarations,
            s.event_count, s.partition_count, s.newest_partition, l.partition_key AS latest_partition, l.created_at AS latest_event_at,
            l.run_id AS latest_run_id
       FROM orchestrator.assets a
       CROSS JOIN LATERAL (SELECT count(*)::int AS event_count,
                                  count(DISTINCT partition_key)::int AS partition_count,
                                  nullif(max(partition_key), '') AS newest_partition
                             FROM orchestrator.asset_events e WHERE e.asset_key = a.asset_key) s
       LEFT JOIN LATERAL (SELECT partition_key, created_at, run_id FROM orchestrator.asset_events e
                           WHERE e.asset_key = a.asset_key ORDER BY id DESC LIMIT 1) l ON true
      WHERE ?::text IS NULL OR a.asset_key = ?
      ORDER BY a.asset_key`,
    [assetKey ?? null, assetKey ?? null],
  );
  return rows.map((r: AssetSummaryRow) => ({
    ...r,
    latest_run_id: r.latest_run_id === null ? null : Number(r.latest_run_id),
  }));
}
