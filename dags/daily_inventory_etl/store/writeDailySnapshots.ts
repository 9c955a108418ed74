import type { Knex } from '../../../platform/index.js';
import { RESERVATION_TYPES_SQL, dayEnd, dayStart } from '../../../inventory/analytics/index.js';

/**
 * Writes `analytics.daily_inventory_snapshots` for day D in one statement over every pair of
 * `inventory_levels`: stock at the end of D is today's level minus the changes after D, so a
 * backfilled day gives the rows the run on that night gave. Units in/out count on-hand
 * movements only (reservations do not move stock); the transaction count counts every row.
 *
 * Rows that did not change keep their `computed_at`, rows no longer produced are deleted: a rerun
 * leaves the table exactly as it was. Returns, from the same statement, the pairs snapshotted, the
 * rows inserted or changed, the rows deleted and the ledger rows of day D counted into them.
 */
export async function writeDailySnapshots(
  knex: Knex,
  day: string,
): Promise<{ pairs: number; changed: number; deleted: number; transactions: number }> {
  const { rows } = await knex.raw(
    `
    WITH after_day AS (
      SELECT sku, warehouse_id,
             sum(quantity_change) FILTER (WHERE event_type NOT IN ${RESERVATION_TYPES_SQL}) AS on_hand_change,
             sum(quantity_change) FILTER (WHERE event_type IN ${RESERVATION_TYPES_SQL}) AS reserved_change
      FROM inventory.inventory_transactions
      WHERE occurred_at >= ${dayEnd('day')}
      GROUP BY sku, warehouse_id
    ), during_day AS (
      SELECT sku, warehouse_id,
             sum(quantity_change) FILTER (WHERE quantity_change > 0 AND event_type NOT IN ${RESERVATION_TYPES_SQL}) AS units_in,
             -sum(quantity_change) FILTER (WHERE quantity_change < 0 AND event_type NOT IN ${RESERVATION_TYPES_SQL}) AS units_out,
             count(*) AS transaction_count
      FROM inventory.inventory_transactions
      WHERE occurred_at >= ${dayStart('day')} AND occurred_at < ${dayEnd('day')}
      GROUP BY sku, warehouse_id
    ), src AS (
      SELECT l.sku, l.warehouse_id,
             (l.quantity_on_hand - coalesce(a.on_hand_change, 0))::int AS quantity_on_hand,
             (l.quantity_reserved - coalesce(a.reserved_change, 0))::int AS quantity_reserved,
             coalesce(d.units_in, 0)::int AS units_in,
             coalesce(d.units_out, 0)::int AS units_out,
             coalesce(d.transaction_count, 0)::int AS transaction_count,
             p.unit_cost
      FROM inventory.inventory_levels l
      JOIN inventory.products p ON p.sku = l.sku
      LEFT JOIN after_day a ON a.sku = l.sku AND a.warehouse_id = l.warehouse_id
      LEFT JOIN during_day d ON d.sku = l.sku AND d.warehouse_id = l.warehouse_id
    ), stale AS (
      -- NOT IN over a hashed subplan (the columns are NOT NULL), as in writeProcessedMetrics: with
      -- NOT EXISTS, the rerun of a day the statistics do not cover yet was a nested loop over every
      -- pair for every pair (113 s instead of 2 s for 20,000 pairs).
      DELETE FROM analytics.daily_inventory_snapshots t
      WHERE t.snapshot_date = CAST(:day AS date)
        AND (t.sku, t.warehouse_id) NOT IN (SELECT sku, warehouse_id FROM src)
      RETURNING 1
    ), upserted AS (
    INSERT INTO analytics.daily_inventory_snapshots AS t
      (snapshot_date, sku, warehouse_id, quantity_on_hand, quantity_reserved, quantity_available,
       units_in, units_out, transaction_count, inventory_value)
    SELECT CAST(:day AS date), sku, warehouse_id, quantity_on_hand, quantity_reserved,
           quantity_on_hand - quantity_reserved, units_in, units_out, transaction_count,
           -- Negative on-hand is a fact to report, not stock with a negative value.
           greatest(quantity_on_hand, 0) * unit_cost
    FROM src
    ON CONFLICT (snapshot_date, sku, warehouse_id) DO UPDATE SET
      quantity_on_hand = EXCLUDED.quantity_on_hand, quantity_reserved = EXCLUDED.quantity_reserved,
      quantity_available = EXCLUDED.quantity_available, units_in = EXCLUDED.units_in,
      units_out = EXCLUDED.units_out, transaction_count = EXCLUDED.transaction_count,
      inventory_value = EXCLUDED.inventory_value, computed_at = now()
    WHERE (t.quantity_on_hand, t.quantity_reserved, t.units_in, t.units_out, t.transaction_count, t.inventory_value)
      IS DISTINCT FROM (EXCLUDED.quantity_on_hand, EXCLUDED.quantity_reserved, EXCLUDED.units_in,
                        EXCLUDED.units_out, EXCLUDED.transaction_count, EXCLUDED.inventory_value)
    RETURNING 1
    )
    -- Every src row is stored (inserted, updated or already equal) and no other row of D is left.
    SELECT (SELECT count(*) FROM src)::int AS pairs, (SELECT count(*) FROM upserted)::int AS changed,
           (SELECT count(*) FROM stale)::int AS deleted,
           (SELECT coalesce(sum(transaction_count), 0) FROM src)::int AS transactions
    `,
    { day },
  );
  return rows[0];
}
