import type { Knex } from 'knex';
import { bind } from '../../db/index.js';
import type { LedgerEvent } from './ledgerEvent.js';

/** What a redelivery is compared on: a stored ledger row without its free-text fields. */
export type StoredEvent = Omit<LedgerEvent, 'referenceId' | 'notes'>;

/**
 * The stored ledger rows of the given event ids (to tell a redelivery from a conflicting reuse).
 * The id registry gives each id's time, so each lookup reads one monthly partition.
 */
export async function loadLedgerEvents(
  db: Knex | Knex.Transaction,
  eventIds: readonly string[],
): Promise<Map<string, StoredEvent>> {
  if (eventIds.length === 0) return new Map();
  const { rows } = await db.raw<{ rows: Array<Record<string, unknown>> }>(
    `SELECT t.event_id::text AS event_id, t.sku, t.warehouse_id, t.event_type, t.quantity_change, t.occurred_at
       FROM inventory.ledger_event_ids e
       JOIN inventory.inventory_transactions t ON t.event_id = e.event_id AND t.occurred_at = e.occurred_at
      WHERE e.event_id = ANY(?::uuid[])`,
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
