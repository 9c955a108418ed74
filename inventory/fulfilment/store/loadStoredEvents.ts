import type { Knex } from 'knex';
import { bind } from '../../../db/index.js';
import type { FulfilmentStream } from '../contract.js';
import { EVENT_TABLES } from './insertFulfilmentEvents.js';

/** A stored event as a repeat is compared with it. */
export interface StoredFulfilmentEvent {
  eventId: string;
  naturalKey: string;
  /** What the event said (`eventPayload`), as stored. */
  payload: Record<string, unknown>;
}

/**
 * The stored events of `stream` with any of these eventIds or natural keys (one statement), for
 * deciding whether a repeat is a duplicate or says something else.
 */
export async function loadStoredEvents(
  trx: Knex | Knex.Transaction,
  stream: FulfilmentStream,
  keys: { eventIds: readonly string[]; naturalKeys: readonly string[] },
): Promise<{ byId: Map<string, StoredFulfilmentEvent>; byNaturalKey: Map<string, StoredFulfilmentEvent> }> {
  const byId = new Map<string, StoredFulfilmentEvent>();
  const byNaturalKey = new Map<string, StoredFulfilmentEvent>();
  if (keys.eventIds.length === 0 && keys.naturalKeys.length === 0) return { byId, byNaturalKey };
  const { rows } = await trx.raw<{
    rows: Array<{ event_id: string; natural_key: string; payload: Record<string, unknown> }>;
  }>(
    `SELECT event_id, natural_key, payload FROM ${EVENT_TABLES[stream]}
      WHERE event_id = ANY(?::uuid[]) OR natural_key = ANY(?::text[])`,
    bind(keys.eventIds, keys.naturalKeys),
  );
  for (const r of rows) {
    const stored = { eventId: r.event_id, naturalKey: r.natural_key, payload: r.payload };
    byId.set(r.event_id, stored);
    byNaturalKey.set(r.natural_key, stored);
  }
  return { byId, byNaturalKey };
}
