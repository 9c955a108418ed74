import type { Knex } from 'knex';

/** Which of the given (asset, partition) pairs have at least one event, as 'asset/partition' keys. */
export async function presentPartitions(
  trx: Knex.Transaction | Knex,
  wanted: Array<{ assetKey: string; partitionKey: string }>,
): Promise<Set<string>> {
  if (wanted.length === 0) return new Set();
  const { rows } = await trx.raw(
    `SELECT w.asset_key, w.partition_key
       FROM jsonb_to_recordset(?::jsonb) AS w(asset_key text, partition_key text)
      WHERE EXISTS (SELECT 1 FROM orchestrator.asset_events e
                     WHERE e.asset_key = w.asset_key AND e.partition_key = w.partition_key)`,
    [JSON.stringify(wanted.map((w) => ({ asset_key: w.assetKey, partition_key: w.partitionKey })))],
  );
  return new Set(
    rows.map((r: { asset_key: string; partition_key: string }) => `${r.asset_key}/${r.partition_key}`),
  );
}
