import {
  assetHistory,
  listAssets as listAssetRows,
  type AssetEventRow,
  type AssetReaderRow,
  type AssetSummaryRow,
} from './store/index.js';
import type { Engine } from './engine.js';

/** One partition of an asset: every event written to it (newest first) and the runs that read it. */
export interface AssetPartition {
  partition_key: string;
  events: AssetEventRow[];
  readers: AssetReaderRow[];
}

export interface AssetDetail extends AssetSummaryRow {
  /** The newest partitions first (at most `limit`). */
  partitions: AssetPartition[];
}

/** Every asset the loaded DAGs declare (or declared), with its producers, consumers and latest event. */
export async function listAssets(engine: Engine): Promise<AssetSummaryRow[]> {
  return listAssetRows(engine.knex);
}

/** One asset with its newest `limit` partitions, or undefined when no DAG ever declared it. */
export async function getAsset(
  engine: Engine,
  assetKey: string,
  limit = 60,
): Promise<AssetDetail | undefined> {
  const [summary] = await listAssetRows(engine.knex, assetKey);
  if (!summary) return undefined;
  const { events, readers } = await assetHistory(engine.knex, assetKey, limit);
  const partitions = new Map<string, AssetPartition>();
  for (const e of events) {
    const p = partitions.get(e.partition_key) ?? { partition_key: e.partition_key, events: [], readers: [] };
    p.events.push(e);
    partitions.set(e.partition_key, p);
  }
  for (const r of readers) partitions.get(r.partition_key)?.readers.push(r);
  return { ...summary, partitions: [...partitions.values()] };
}
