import type { Knex } from 'knex';

/**
 * Marks events consumed by an asset-triggered run. The key (dag_id, event_id) rejects a second
 * consumption: the caller's transaction (with the run it created) then fails as a whole.
 */
export async function recordAssetTriggers(
  trx: Knex.Transaction,
  dagId: string,
  runId: number,
  eventIds: number[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await trx.raw(
    `INSERT INTO orchestrator.asset_triggers (dag_id, event_id, run_id)
     SELECT ?, id, ? FROM unnest(?::bigint[]) AS id`,
    [dagId, runId, eventIds],
  );
}
