import type { Knex } from 'knex';
import type { TriggeringAssetEvent } from './types.js';

/** The events an asset-triggered run consumed, oldest first (none for other runs). */
export async function triggeringAssetEvents(knex: Knex, runId: number): Promise<TriggeringAssetEvent[]> {
  const { rows } = await knex.raw(
    `SELECT e.id, e.asset_key, e.partition_key, e.created_at, e.run_id, e.dag_id, e.task_id, e.rows
       FROM orchestrator.asset_triggers t JOIN orchestrator.asset_events e ON e.id = t.event_id
      WHERE t.run_id = ?
      ORDER BY e.id`,
    [runId],
  );
  return rows.map(
    (r: {
      id: string;
      asset_key: string;
      partition_key: string;
      created_at: Date;
      run_id: string | null;
      dag_id: string | null;
      task_id: string | null;
      rows: string | null;
    }) => ({
      id: Number(r.id),
      assetKey: r.asset_key,
      partitionKey: r.partition_key,
      createdAt: r.created_at,
      sourceRunId: r.run_id === null ? null : Number(r.run_id),
      sourceDagId: r.dag_id,
      sourceTaskId: r.task_id,
      rows: r.rows === null ? null : Number(r.rows),
    }),
  );
}
