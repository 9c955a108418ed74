import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';

/** Transactions in columns (one array per column, equal lengths); times in epoch milliseconds. */
export interface TransactionColumns {
  eventId: string[];
  sku: string[];
  warehouseId: string[];
  eventType: string[];
  quantityChange: number[];
  occurredAtMs: number[];
  referenceId: Array<string | null>;
  notes: Array<string | null>;
}

/**
 * Appends transactions in one statement. A plain INSERT on purpose: generated event ids are
 * unique, so a conflict means a bug (or a second writer) and must fail loudly rather than leave
 * levels that no longer equal the sum of the ledger.
 */
export async function insertTransactions(knex: Knex, rows: TransactionColumns): Promise<number> {
  if (rows.eventId.length === 0) return 0;
  const result = await knex.raw<{ rowCount: number }>(
    `INSERT INTO inventory.inventory_transactions
       (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes)
     SELECT id, sku, wh, type, q, to_timestamp(ms / 1000.0), ref, notes
     FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::float8[], ?::text[], ?::text[])
       AS t(id, sku, wh, type, q, ms, ref, notes)`,
    bind(
      rows.eventId,
      rows.sku,
      rows.warehouseId,
      rows.eventType,
      rows.quantityChange,
      rows.occurredAtMs,
      rows.referenceId,
      rows.notes,
    ),
  );
  return result.rowCount;
}
