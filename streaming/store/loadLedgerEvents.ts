import type { Knex } from 'knex';
import { bind } from '../../db/index.js';
import type { LedgerEvent } from './ledgerEvent.js';

/** What a redelivery is compared on: a stored ledger row without its free-text fields. */
export type StoredEvent = Omit<LedgerEvent, 'referenceId' | 'notes'>;

/** The stored ledger rows of the given event ids (to tell a redelivery from a conflicting reuse). */
export async function loadLedgerEvents(
  db: Knex | Knex.Transaction,
  eventIds: readonly string[],
): Promise<Map<string, StoredEvent>> {
  if (eventIds.length === 0) return new Map();
  const { rows } = await db.raw<{ rows: Array<Record<string, unknown>> }>(
    `SELECT event_id::text AS event_id, sku, warehouse_id, event_type, quantity_change, occurred_at
       FROM inventory.inventory_transactions WHERE event_id = ANY(?::uuid[])`,
    bind(eventIds),
  );
  return new Map(
    rows.map((r) => [
      r.event_id as string,
      {
        eventId: r.event_id as string,
        sku: r.sku as string,
        warehouseId: r.warehouse_id as string,
        eventType: r.event_type as string,
        quantityChange: r.quantity_change as number,
        occurredAt: r.occurred_at as Date,
      },
    ]),
  );
}
