import type { Knex } from '../../../platform/index.js';
import { dayEnd, dayStart, utcDate } from '../../analytics/index.js';

/** One pair's SPEC §5 daily sales over a window of whole UTC days, zero days included. */
export interface PairSales {
  sku: string;
  warehouse_id: string;
  lead_time_days: number;
  /** The window's first day (YYYY-MM-DD); sales[i] is day first_day + i. */
  first_day: string;
  sales: number[];
}

/**
 * The first day (YYYY-MM-DD) of the `days` days ending with `to`, or the ledger's first day if
 * that is later. A ledger that has rows on the day before the window started before it: that
 * one day's partition answers. Only otherwise (a young ledger, or a day nobody traded) is the
 * ledger's first row looked up, through every partition.
 */
async function windowStart(knex: Knex, to: string, days: number): Promise<string> {
  const day = (offset: number) =>
    new Date(Date.parse(`${to}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  const first = day(-(days - 1));
  const before = day(-days);
  const { rows: traded } = await knex.raw(
    `SELECT EXISTS (SELECT 1 FROM inventory.inventory_transactions
                     WHERE occurred_at >= ${dayStart('before')} AND occurred_at < ${dayStart('first')}) AS traded`,
    { before, first },
  );
  if (traded[0].traded) return first;
  const { rows: start } = await knex.raw(
    `SELECT to_char(greatest(CAST(:first AS date),
                             (SELECT ${utcDate('min(occurred_at)')} FROM inventory.inventory_transactions)),
                    'YYYY-MM-DD') AS first`,
    { first },
  );
  return start[0].first;
}

/**
 * Daily sales of every pair of `inventory_levels` (of one warehouse with `warehouseId`) over the
 * `days` whole UTC days ending with day `to` (inclusive), in one statement. The window never starts
 * before the ledger's first day, so a young warehouse is not padded with days it did not trade.
 * Only the days with sales travel (as two arrays per pair); the zero days are filled in here.
 * Pairs in (sku, warehouse_id) order.
 */
export async function readDailySales(
  knex: Knex,
  o: { to: string; days: number; warehouseId?: string },
): Promise<PairSales[]> {
  const only = (column: string) => (o.warehouseId === undefined ? 'true' : `${column} = :warehouse`);
  const first = await windowStart(knex, o.to, o.days);
  // The window travels as a value: the ledger is pruned to its partitions when the statement is
  // planned. With the first day as a subquery's result every partition of the history was planned
  // (and the ledger's first row looked up in each), 100 ms a warehouse at 5 years.
  const { rows } = await knex.raw(
    `
    WITH sales AS (
      SELECT sku, warehouse_id, ${utcDate('occurred_at')} - CAST(:first AS date) AS i,
             -sum(quantity_change)::int AS units
      FROM inventory.inventory_transactions
      WHERE event_type = 'SALE'
        AND occurred_at >= ${dayStart('first')} AND occurred_at < ${dayEnd('to')} AND ${only('warehouse_id')}
      GROUP BY 1, 2, 3
    ), per_pair AS (
      SELECT sku, warehouse_id, array_agg(i ORDER BY i) AS offsets, array_agg(units ORDER BY i) AS units
      FROM sales GROUP BY 1, 2
    )
    SELECT l.sku, l.warehouse_id, p.lead_time_days, CAST(:first AS text) AS first_day,
           (CAST(:to AS date) - CAST(:first AS date) + 1)::int AS n, s.offsets, s.units
    FROM inventory.inventory_levels l
    JOIN inventory.products p ON p.sku = l.sku
    LEFT JOIN per_pair s ON s.sku = l.sku AND s.warehouse_id = l.warehouse_id
    WHERE ${only('l.warehouse_id')}
    ORDER BY l.sku, l.warehouse_id
    `,
    { to: o.to, first, warehouse: o.warehouseId ?? null },
  );
  return (
    rows as Array<{
      sku: string;
      warehouse_id: string;
      lead_time_days: number;
      first_day: string;
      n: number;
      offsets: number[] | null;
      units: number[] | null;
    }>
  ).map((r) => {
    const sales = new Array<number>(Math.max(0, r.n)).fill(0);
    r.offsets?.forEach((i, k) => (sales[i] = r.units![k]!));
    return {
      sku: r.sku,
      warehouse_id: r.warehouse_id,
      lead_time_days: r.lead_time_days,
      first_day: r.first_day,
      sales,
    };
  });
}
