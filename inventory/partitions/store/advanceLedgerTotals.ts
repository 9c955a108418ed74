import type { Knex } from 'knex';
import { addMonths, monthOf } from '../months.js';
import { DDL_LOCK_TIMEOUT } from './createMonthPartition.js';

/** Where `inventory.ledger_totals` stands: the rows before this instant are summed in it. */
export async function ledgerTotalsUntil(knex: Knex): Promise<Date | null> {
  const { rows } = await knex.raw<{ rows: Array<{ until: Date | string }> }>(
    'SELECT until FROM inventory.ledger_totals_until',
  );
  const until = rows[0]?.until;
  return until instanceof Date ? until : null; // '-infinity' comes back as a string
}

/**
 * Moves the ledger totals forward to `month` (its first instant): the rows that occurred before it
 * are summed per pair into `inventory.ledger_totals`, so on-hand reconciles with the totals plus
 * the rows from `month` on (and still does once old months are archived and dropped). One month
 * per transaction, each under a SHARE lock on the ledger: a writer waits about as long as one
 * month takes to sum, and no row of that month can be missed by the sum or added twice by its
 * trigger. Returns the months added.
 */
export async function advanceLedgerTotals(knex: Knex, month: string): Promise<number> {
  const until = await ledgerTotalsUntil(knex);
  let from = until ? monthOf(until) : undefined;
  if (!from) {
    const { rows } = await knex.raw<{ rows: Array<{ first: Date | null }> }>(
      'SELECT min(occurred_at) AS first FROM inventory.inventory_transactions',
    );
    // Nothing before the first row's month: the first step sums up to the month after it.
    from = rows[0]!.first ? monthOf(rows[0]!.first) : month;
  }
  let added = 0;
  for (let next = addMonths(from, 1); next <= month; next = addMonths(next, 1)) {
    await knex.transaction(async (trx) => {
      await trx.raw(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT}'`);
      // The row is back if a TRUNCATE of the whole schema took it (an eval data set starting over).
      await trx.raw(
        `INSERT INTO inventory.ledger_totals_until (until) VALUES ('-infinity') ON CONFLICT (one) DO NOTHING`,
      );
      const { rows } = await trx.raw<{ rows: Array<{ until: Date | string }> }>(
        'SELECT until FROM inventory.ledger_totals_until FOR UPDATE',
      );
      const current = rows[0]!.until;
      const bound = `${next} 00:00:00+00`;
      if (current instanceof Date && current >= new Date(bound)) return;
      await trx.raw('LOCK TABLE inventory.inventory_transactions IN SHARE MODE');
      await trx.raw(
        `INSERT INTO inventory.ledger_totals AS t (sku, warehouse_id, on_hand_change, reserved_change, row_count)
         SELECT sku, warehouse_id,
                coalesce(sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')), 0),
                coalesce(sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')), 0),
                count(*)
           FROM inventory.inventory_transactions
          WHERE occurred_at >= (SELECT until FROM inventory.ledger_totals_until) AND occurred_at < ?::timestamptz
          GROUP BY sku, warehouse_id
         ON CONFLICT (sku, warehouse_id) DO UPDATE
           SET on_hand_change = t.on_hand_change + excluded.on_hand_change,
               reserved_change = t.reserved_change + excluded.reserved_change,
               row_count = t.row_count + excluded.row_count`,
        [bound],
      );
      await trx.raw('UPDATE inventory.ledger_totals_until SET until = ?::timestamptz', [bound]);
      added++;
    });
  }
  return added;
}
