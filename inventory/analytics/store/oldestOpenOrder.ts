import type { Knex } from '../../../platform/index.js';

/**
 * When the oldest purchase order that may still be open at `at` was placed: the earliest
 * `ordered_at` before `at` of the orders not closed before it (`closed_at`, through
 * purchase_orders_closed_idx), or `at` itself when there is none. Every receipt `onOrderCte`
 * counts at `at` is booked no earlier, so the value bounds its ledger lookup: bound as a value,
 * the statement is planned over the ledger's months since then instead of every month of the
 * history (a lower bound that is a column of the order prunes only when each lookup runs).
 */
export async function oldestOpenOrder(knex: Knex | Knex.Transaction, at: Date): Promise<Date> {
  const { rows } = await knex.raw(
    `SELECT coalesce(min(ordered_at), CAST(:at AS timestamptz)) AS since
       FROM inventory.purchase_orders
      WHERE ordered_at < CAST(:at AS timestamptz) AND (closed_at IS NULL OR closed_at >= CAST(:at AS timestamptz))`,
    { at },
  );
  return rows[0].since;
}
