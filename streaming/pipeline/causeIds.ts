import { createHash } from 'node:crypto';

/** The name space of wareflow's name-based ids (a random UUID, fixed once). */
export const WAREFLOW_NAMESPACE = 'b57294bc-9278-42a4-8f4c-eaef8bbee189';

/**
 * A name-based UUID (RFC 4122 version 5: SHA-1 of the name space and the name), so the same name
 * always gives the same id, on every instance and every retry.
 */
export function uuidV5(name: string, namespace: string = WAREFLOW_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of an anomaly or an alert, from what caused it: the event and the rule (or alert type).
 * A chunk that is retried, or delivered again to another instance, raises the same anomalies and
 * alerts with the same ids, so a consumer of `inventory-alerts` can drop repeats and the tables
 * keep one row each.
 */
export function causeId(kind: 'anomaly' | 'alert', type: string, eventId: string): string {
  return uuidV5(`${kind}:${type}:${eventId.toLowerCase()}`);
}
