import type { Knex } from 'knex';
import type { AssetEventRow, AssetReaderRow } from './types.js';

/**
 * The newest `limit` partitions of an asset with every event written to them, and the runs that
 * read them: runs that consumed one of their events (`triggered`), and runs of DAGs that wait
 * for the asset whose interval covers the partition (`waited`, the day or week of the interval's
 * start up to that of its end, as `partitionsCovering` reads it).
 */
export async function assetHistory(
  knex: Knex,
  assetKey: string,
  limit = 60,
): Promise<{ events: AssetEventRow[]; readers: AssetReaderRow[] }> {
  const { rows: events } = await knex.raw(
    `WITH recent AS (
       SELECT partition_key, max(id) AS last FROM orchestrator.asset_events WHERE asset_key = ?
        GROUP BY partition_key ORDER BY last DESC LIMIT ?)
     SELECT e.id, e.partition_key, e.run_id, e.dag_id, e.task_id, e.try_number, e.rows, e.created_at
       FROM orchestrator.asset_events e JOIN recent USING (partition_key)
      WHERE e.asset_key = ?
      ORDER BY recent.last DESC, e.id DESC`,
    [assetKey, limit, assetKey],
  );
  const { rows: readers } = await knex.raw(
    `WITH a AS (SELECT partitioning FROM orchestrator.assets WHERE asset_key = ?),
     parts AS (SELECT DISTINCT partition_key FROM orchestrator.asset_events WHERE id = ANY(?::bigint[])),
     fmt AS (SELECT CASE partitioning WHEN 'weekly' THEN 'IYYY-"W"IW' ELSE 'YYYY-MM-DD' END AS f,
                    partitioning FROM a)
     SELECT e.partition_key, r.id AS run_id, r.dag_id, r.run_type, r.state, r.logical_date, 'triggered' AS how
       FROM orchestrator.asset_events e
       JOIN orchestrator.asset_triggers t ON t.event_id = e.id
       JOIN orchestrator.dag_runs r ON r.id = t.run_id
      WHERE e.id = ANY(?::bigint[])
     UNION
     SELECT p.partition_key, r.id, r.dag_id, r.run_type, r.state, r.logical_date, 'waited'
       FROM parts p CROSS JOIN fmt
       JOIN orchestrator.asset_declarations d ON d.asset_key = ? AND d.role = 'wait_for'
       JOIN orchestrator.dag_runs r ON r.dag_id = d.dag_id
      WHERE fmt.partitioning IS NOT NULL
        AND p.partition_key >= to_char(r.data_interval_start AT TIME ZONE 'UTC', fmt.f)
        AND (p.partition_key < to_char(r.data_interval_end AT TIME ZONE 'UTC', fmt.f)
             OR p.partition_key = to_char(r.data_interval_start AT TIME ZONE 'UTC', fmt.f))
      ORDER BY partition_key DESC, run_id`,
    [assetKey, events.map((e: { id: string }) => e.id), events.map((e: { id: string }) => e.id), assetKey],
  );
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    events: events.map((e: AssetEventRow & { id: string; run_id: string | null; rows: string | null }) => ({
      ...e,
      id: Number(e.id),
      run_id: num(e.run_id),
      rows: num(e.rows),
    })),
    readers: readers.map((r: AssetReaderRow & { run_id: string }) => ({ ...r, run_id: Number(r.run_id) })),
  };
}
