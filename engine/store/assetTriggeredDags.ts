import type { Knex } from 'knex';

export interface AssetCondition {
  dagId: string;
  assetKeys: string[];
  /** Events created before this are not looked at (a consumer's start date). */
  notBefore: Date;
}

/**
 * The DAGs, of those given, for which every listed asset has an event the DAG has not consumed:
 * the scheduler's one query per pass for asset-triggered DAGs (nothing is locked; the run itself
 * is created under the DAG's lock from a fresh read).
 */
export async function assetTriggeredDags(knex: Knex, conditions: AssetCondition[]): Promise<string[]> {
  if (conditions.length === 0) return [];
  const { rows } = await knex.raw(
    `SELECT c.dag_id
       FROM jsonb_to_recordset(?::jsonb) AS c(dag_id text, asset_keys text[], not_before timestamptz)
      WHERE NOT EXISTS (
        SELECT 1 FROM unnest(c.asset_keys) AS k(asset_key)
         WHERE NOT EXISTS (
           SELECT 1 FROM orchestrator.asset_events e
            WHERE e.asset_key = k.asset_key AND e.created_at >= c.not_before
              AND NOT EXISTS (SELECT 1 FROM orchestrator.asset_triggers t
                               WHERE t.dag_id = c.dag_id AND t.event_id = e.id)))`,
    [
      JSON.stringify(
        conditions.map((c) => ({
          dag_id: c.dagId,
          asset_keys: c.assetKeys,
          not_before: c.notBefore.toISOString(),
        })),
      ),
    ],
  );
  return rows.map((r: { dag_id: string }) => r.dag_id);
}
