import { isDeepStrictEqual } from 'node:util';
import { eventPayload, naturalKey, type FulfilmentEvent } from './contract.js';
import type { StoredFulfilmentEvent } from './store/loadStoredEvents.js';

/** A repeat's verdict: the same fact again, or an eventId or natural key reused for something else. */
export type Repeat = 'duplicate' | 'conflicting';

/**
 * Compares an event the insert skipped with what is stored under its eventId (first) or its
 * natural key: a duplicate when the stored event says exactly the same, conflicting otherwise.
 */
export function settleRepeat(
  event: FulfilmentEvent,
  stored: {
    byId: ReadonlyMap<string, StoredFulfilmentEvent>;
    byNaturalKey: ReadonlyMap<string, StoredFulfilmentEvent>;
  },
): Repeat {
  const s = stored.byId.get(event.eventId) ?? stored.byNaturalKey.get(naturalKey(event));
  return s && isDeepStrictEqual(s.payload, eventPayload(event)) ? 'duplicate' : 'conflicting';
}
