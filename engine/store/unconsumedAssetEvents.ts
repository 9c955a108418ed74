import type { Knex } from 'knex';

export interface PendingAssetEvent {
  id: number;
  asset_key: string;
  partition_key: string;
  created_at: Date;
  /** The data interval of the run that produced it (null once that run is deleted). */
  source_start: Date | null;
  source_end: Date | null;
}

/** The events of these assets a DAG has not consumed yet, oldest first (at most `limit`). */
export async function unconsumedAssetEvents(
  trx: Knex.Transaction | Knex,
  dagId: string,
  assetKeys: string[],
  notBefore: Date,
  limit = 1000,
): Promise<PendingAssetEvent[]> {
  const { rows } = await trx.raw(
    `SELECT e.id, e.asset_key, e.partition_key, e.created_at,
            r.data_interval_start AS source_start, r.data_interval_end AS source_end
       FROM orchestrator.asset_events e
       LEFT JOIN orchestrator.dag_runs r ON r.id = e.run_id
      WHERE e.asset_key = ANY(?::text[]) AND e.created_at >= ?
        AND NOT EXISTS (SELECT 1 FROM orchestrator.asset_triggers t WHERE t.dag_id = ? AND t.event_id = e.id)
      ORDER BY e.id
      LIMIT ?`,
    [assetKeys, notBefore, dagId, limit],
  );
  return rows.map((r: PendingAssetEvent) => ({ ...r, id: Number(r.id) }));
}
