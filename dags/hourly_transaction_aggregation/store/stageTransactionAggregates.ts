import type { Knex } from '../../../platform/index.js';
import { RESERVATION_TYPES_SQL } from '../../../inventory/analytics/index.js';

/** Aggregate columns of one bucket, computed from the ledger rows `t` joined to products `p`. */
const AGGREGATES = `
  coalesce(sum(t.quantity_change) FILTER (WHERE t.quantity_change > 0 AND t.event_type NOT IN ${RESERVATION_TYPES_SQL}), 0) AS units_in,
  coalesce(-sum(t.quantity_change) FILTER (WHERE t.quantity_change < 0 AND t.event_type NOT IN ${RESERVATION_TYPES_SQL}), 0) AS units_out,
  coalesce(sum(t.quantity_change) FILTER (WHERE t.event_type NOT IN ${RESERVATION_TYPES_SQL}), 0) AS net_change,
  count(*) AS transaction_count,
  coalesce(-sum(t.quantity_change) FILTER (WHERE t.event_type = 'SALE'), 0) AS sales_units,
  coalesce(-sum(t.quantity_change * p.unit_price) FILTER (WHERE t.event_type = 'SALE'), 0) AS sales_value,
  count(DISTINCT t.reference_id) AS distinct_references`;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Bounds of the ledger time the buckets of a run can reach: its hours (from its start less the
 * late-row lookback, to its end) and their UTC days and weeks (Monday). Every join on a bucket is
 * also bounded by these values, implied by it, so the statement is planned over the monthly
 * partitions of those buckets only, not over every month of the history (values, because an
 * expression such as `:start - interval …` is only stable and prunes no earlier than execution).
 */
function reach(start: Date, end: Date, lookbackHours: number) {
  const earliest = new Date(Math.floor((start.getTime() - lookbackHours * HOUR_MS) / HOUR_MS) * HOUR_MS);
  const day = (t: Date) => Math.floor(t.getTime() / DAY_MS) * DAY_MS;
  // 1970-01-01 was a Thursday: Monday-based weeks start 3 days after a multiple of 7 days.
  const week = (t: Date) => Math.floor((t.getTime() - 4 * DAY_MS) / (7 * DAY_MS)) * 7 * DAY_MS + 4 * DAY_MS;
  const last = new Date(end.getTime() - 1);
  return {
    earliest,
    dayFrom: new Date(day(earliest)),
    dayTo: new Date(day(last) + DAY_MS),
    weekFrom: new Date(week(earliest)),
    weekTo: new Date(week(last) + 7 * DAY_MS),
  };
}

/**
 * aggregate_transactions: recomputes from the ledger, into the staging table under `runKey`,
 * - the hour buckets of [start, end), plus the hours (at most `lateLookbackHours` back) of rows
 *   ingested during [start, end) that occurred before it — late arrivals are re-aggregated by
 *   the run in which they arrive, and by any rerun of their own hour;
 * - the day and week buckets (UTC; weeks start on Monday) of every pair touched in those hours,
 *   over the whole day and week, because distinct references cannot be added up from hours.
 * Every bucket is computed from the ledger, never incrementally, so a rerun gives the same rows.
 * Returns the hour buckets covered (load_aggregates replaces exactly those), the rows staged per
 * grain and the ledger rows of the covered hours.
 */
export async function stageTransactionAggregates(
  knex: Knex,
  options: { runKey: string; start: Date; end: Date; lateLookbackHours: number },
): Promise<{ hours: string[]; staged: Record<'hour' | 'day' | 'week', number>; transactions: number }> {
  const bindings = {
    runKey: options.runKey,
    start: options.start,
    end: options.end,
    lookback: options.lateLookbackHours,
    ...reach(options.start, options.end, options.lateLookbackHours),
  };
  return knex.transaction(async (trx) => {
    await trx.raw('DELETE FROM analytics.transaction_aggregates_staging WHERE run_key = :runKey', bindings);
    const { rows: hourRows } = await trx.raw(
      `SELECT h AS hour FROM generate_series(date_trunc('hour', :start::timestamptz, 'UTC'),
                                            :end::timestamptz - interval '1 microsecond', interval '1 hour') AS h
       UNION
       SELECT DISTINCT date_trunc('hour', occurred_at, 'UTC') FROM inventory.inventory_transactions
       WHERE ingested_at >= :start AND ingested_at < :end AND occurred_at < :start
         AND occurred_at >= :earliest
       ORDER BY 1`,
      bindings,
    );
    const hours = (hourRows as Array<{ hour: Date }>).map((r) => r.hour.toISOString());
    const { rows } = await trx.raw(
      `
      WITH hours AS (SELECT unnest(CAST(:hours AS timestamptz[])) AS h),
      hour_rows AS (
        SELECT hours.h AS bucket_start, t.sku, t.warehouse_id, ${AGGREGATES}
        FROM hours
        JOIN inventory.inventory_transactions t ON t.occurred_at >= hours.h AND t.occurred_at < hours.h + interval '1 hour'
         AND t.occurred_at >= :earliest AND t.occurred_at < :end
        JOIN inventory.products p ON p.sku = t.sku
        GROUP BY 1, 2, 3
      ), touched AS (
        SELECT DISTINCT sku, warehouse_id, date_trunc('day', bucket_start, 'UTC') AS day,
               date_trunc('week', bucket_start, 'UTC') AS week
        FROM hour_rows
      ), day_rows AS (
        SELECT x.day AS bucket_start, x.sku, x.warehouse_id, ${AGGREGATES}
        FROM (SELECT DISTINCT sku, warehouse_id, day FROM touched) x
        JOIN inventory.inventory_transactions t ON t.sku = x.sku AND t.warehouse_id = x.warehouse_id
         AND t.occurred_at >= x.day AND t.occurred_at < x.day + interval '24 hours'
         AND t.occurred_at >= :dayFrom AND t.occurred_at < :dayTo
        JOIN inventory.products p ON p.sku = t.sku
        GROUP BY 1, 2, 3
      ), week_rows AS (
        SELECT x.week AS bucket_start, x.sku, x.warehouse_id, ${AGGREGATES}
        FROM (SELECT DISTINCT sku, warehouse_id, week FROM touched) x
        JOIN inventory.inventory_transactions t ON t.sku = x.sku AND t.warehouse_id = x.warehouse_id
         AND t.occurred_at >= x.week AND t.occurred_at < x.week + interval '168 hours'
         AND t.occurred_at >= :weekFrom AND t.occurred_at < :weekTo
        JOIN inventory.products p ON p.sku = t.sku
        GROUP BY 1, 2, 3
      ), staged AS (
        INSERT INTO analytics.transaction_aggregates_staging
          (run_key, grain, bucket_start, sku, warehouse_id, units_in, units_out, net_change, transaction_count,
           sales_units, sales_value, distinct_references)
        SELECT :runKey, 'hour', * FROM hour_rows
        UNION ALL SELECT :runKey, 'day', * FROM day_rows
        UNION ALL SELECT :runKey, 'week', * FROM week_rows
        RETURNING grain
      )
      SELECT grain, count(*)::int AS n,
             (SELECT coalesce(sum(transaction_count), 0) FROM hour_rows)::int AS transactions
      FROM staged GROUP BY grain`,
      {
        ...bindings,
        hours: `{${hours.join(',')}}`,
      },
    );
    const staged = { hour: 0, day: 0, week: 0 };
    let transactions = 0;
    for (const r of rows as Array<{ grain: 'hour' | 'day' | 'week'; n: number; transactions: number }>) {
      staged[r.grain] = r.n;
      transactions = r.transactions;
    }
    return { hours, staged, transactions };
  });
}
