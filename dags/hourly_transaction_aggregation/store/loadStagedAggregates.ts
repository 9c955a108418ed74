import type { Knex } from '../../../platform/index.js';

/**
 * load_aggregates: moves the rows staged under `runKey` into `analytics.transaction_aggregates`
 * in one transaction — hour buckets of the covered hours are replaced (a bucket no longer
 * produced is deleted), day and week buckets are upserted — then clears the staging rows. Rows
 * whose values did not change keep their `computed_at`, so a rerun changes nothing. Returns the
 * staged rows read, the rows inserted or changed and the hour rows deleted.
 */
export async function loadStagedAggregates(
  knex: Knex,
  options: { runKey: string; hours: readonly string[] },
): Promise<{ staged: number; changed: number; deleted: number }> {
  const bindings = { runKey: options.runKey, hours: `{${options.hours.join(',')}}` };
  return knex.transaction(async (trx) => {
    const deleted = await trx.raw(
      `DELETE FROM analytics.transaction_aggregates a
       WHERE a.grain = 'hour' AND a.bucket_start = ANY (CAST(:hours AS timestamptz[]))
         AND NOT EXISTS (SELECT 1 FROM analytics.transaction_aggregates_staging s
                         WHERE s.run_key = :runKey AND s.grain = 'hour' AND s.bucket_start = a.bucket_start
                           AND s.sku = a.sku AND s.warehouse_id = a.warehouse_id)`,
      bindings,
    );
    const upserted = await trx.raw(
      `INSERT INTO analytics.transaction_aggregates AS a
         (grain, bucket_start, sku, warehouse_id, units_in, units_out, net_change, transaction_count,
          sales_units, sales_value, distinct_references)
       SELECT grain, bucket_start, sku, warehouse_id, units_in, units_out, net_change, transaction_count,
              sales_units, sales_value, distinct_references
       FROM analytics.transaction_aggregates_staging WHERE run_key = :runKey
       ON CONFLICT (grain, bucket_start, sku, warehouse_id) DO UPDATE SET
         units_in = EXCLUDED.units_in, units_out = EXCLUDED.units_out, net_change = EXCLUDED.net_change,
         transaction_count = EXCLUDED.transaction_count, sales_units = EXCLUDED.sales_units,
         sales_value = EXCLUDED.sales_value, distinct_references = EXCLUDED.distinct_references,
         computed_at = now()
       WHERE (a.units_in, a.units_out, a.net_change, a.transaction_count, a.sales_units, a.sales_value,
              a.distinct_references)
         IS DISTINCT FROM (EXCLUDED.units_in, EXCLUDED.units_out, EXCLUDED.net_change, EXCLUDED.transaction_count,
              EXCLUDED.sales_units, EXCLUDED.sales_value, EXCLUDED.distinct_references)`,
      bindings,
    );
    const cleared = await trx.raw(
      'DELETE FROM analytics.transaction_aggregates_staging WHERE run_key = :runKey',
      bindings,
    );
    return { staged: cleared.rowCount ?? 0, changed: upserted.rowCount ?? 0, deleted: deleted.rowCount ?? 0 };
  });
}
