import { EVENT_TYPES, MAX_ABS_QUANTITY, hasValidSign, type EventType } from '../../inventory/events/index.js';

/**
 * Why a message went to the dead-letter topic: the `x-dlq-reason` header. Stable,
 * machine-readable strings; `dlq_messages_total{reason}` uses the same values.
 */
export const DLQ_REASONS = [
  'empty_message',
  'message_too_large',
  'invalid_json',
  'not_an_object',
  'missing_field',
  'invalid_field',
  'invalid_event_id',
  'unknown_event_type',
  'invalid_quantity',
  'zero_quantity',
  'wrong_sign',
  'quantity_out_of_range',
  'invalid_timestamp',
  'future_timestamp',
  'stale_timestamp',
  'unknown_sku',
  'unknown_warehouse',
  'conflicting_duplicate',
] as const;

export type DlqReason = (typeof DLQ_REASONS)[number];

/** A valid event after normalisation: ids trimmed and upper-cased, one time type, one vocabulary. */
export interface NormalisedEvent {
  /** Lower-case UUID. */
  eventId: string;
  /**
   * The type the ledger stores. INVENTORY_UPDATE, the legacy alias, is stored as ADJUSTMENT so
   * that every consumer of the ledger sees one vocabulary; `receivedType` keeps what was sent.
   */
  eventType: Exclude<EventType, 'INVENTORY_UPDATE'>;
  receivedType: EventType;
  sku: string;
  warehouseId: string;
  quantityChange: number;
  occurredAt: Date;
  referenceId: string | null;
  notes: string | null;
}

export type Validation =
  { ok: true; event: NormalisedEvent } | { ok: false; reason: DlqReason; detail: string };

export interface ValidationLimits {
  /** Current time in epoch ms (injected so tests are deterministic). */
  now: number;
  /** Events older than this many days are rejected (`MAX_EVENT_AGE_DAYS`). */
  maxEventAgeDays: number;
  /** Largest accepted message in bytes. @defaultValue 65536 */
  maxMessageBytes?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** ISO-8601 date-time with an explicit zone (Z or ±hh:mm); a zone-less time is ambiguous. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const FUTURE_TOLERANCE_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_ID_LENGTH = 64;
const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const utf8 = new TextDecoder('utf-8', { fatal: true });

const reject = (reason: DlqReason, detail: string): Validation => ({ ok: false, reason, detail });

function identifier(body: Record<string, unknown>, field: string): string | Validation {
  const value = body[field];
  if (value === undefined || value === null) return reject('missing_field', `${field} is missing`);
  if (typeof value !== 'string') return reject('invalid_field', `${field} must be a string`);
  const id = value.trim().toUpperCase();
  if (id === '') return reject('missing_field', `${field} is empty`);
  if (id.length > MAX_ID_LENGTH) return reject('invalid_field', `${field} is longer than ${MAX_ID_LENGTH}`);
  return id;
}

function optionalText(body: Record<string, unknown>, field: string): string | null | Validation {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return reject('invalid_field', `${field} must be a string`);
  return value;
}

function timestamp(value: unknown): number | Validation {
  if (value === undefined || value === null) return reject('missing_field', 'timestamp is missing');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      return reject('invalid_timestamp', 'epoch timestamp must be whole milliseconds ≥ 0');
    }
    return value;
  }
  if (typeof value !== 'string') return reject('invalid_field', 'timestamp must be a string or a number');
  const canonical = canonicalIsoMs(value);
  if (canonical !== undefined) return canonical;
  const text = value.trim();
  if (!ISO_WITH_ZONE.test(text)) {
    return reject('invalid_timestamp', 'timestamp must be ISO-8601 with a zone, or epoch milliseconds');
  }
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    return reject('invalid_timestamp', `timestamp ${JSON.stringify(text)} is not a date`);
  return ms;
}

/** Value of the ASCII digits of `s` from `at` to `at + n`; NaN if one is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Epoch milliseconds of the form every producer of ours sends, 'YYYY-MM-DDTHH:MM:SS.sssZ', read
 * without a regular expression and the general date parser; undefined for any other text, which
 * takes the general path. Only unambiguous fields are taken here (day up to 28), so the result is
 * the general path's.
 */
function canonicalIsoMs(s: string): number | undefined {
  if (s.length !== 24 || s.charCodeAt(23) !== 90 /* Z */) return undefined;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== '.') {
    return undefined;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  // NaN fails every comparison, so a non-digit falls through to the general path too.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59)) {
    return undefined;
  }
  if (!(year >= 0 && ms >= 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Checks one raw message against every SPEC §3 rule that needs no master data, and normalises it.
 * Never throws: every failure is a reason.
 */
export function validateMessage(value: Buffer | null, limits: ValidationLimits): Validation {
  if (value === null || value.length === 0) return reject('empty_message', 'message has no value');
  const maxBytes = limits.maxMessageBytes ?? 65_536;
  if (value.length > maxBytes)
    return reject('message_too_large', `message is ${value.length} bytes (max ${maxBytes})`);
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(value));
  } catch (err) {
    return reject('invalid_json', (err as Error).message.slice(0, 200));
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return reject('not_an_object', 'message must be a JSON object');
  }
  const b = body as Record<string, unknown>;

  if (b.eventId === undefined || b.eventId === null) return reject('missing_field', 'eventId is missing');
  if (typeof b.eventId !== 'string') return reject('invalid_field', 'eventId must be a string');
  // Most ids arrive canonical: test first, and trim and lower-case only the others.
  let eventId = b.eventId;
  if (!UUID.test(eventId)) {
    eventId = eventId.trim().toLowerCase();
    if (!UUID.test(eventId)) return reject('invalid_event_id', 'eventId must be a UUID');
  }

  if (b.eventType === undefined || b.eventType === null)
    return reject('missing_field', 'eventType is missing');
  if (typeof b.eventType !== 'string') return reject('invalid_field', 'eventType must be a string');
  const receivedType = TYPES.has(b.eventType) ? b.eventType : b.eventType.trim().toUpperCase();
  if (!TYPES.has(receivedType))
    return reject('unknown_event_type', `eventType ${JSON.stringify(b.eventType)} is unknown`);
  const type = receivedType as EventType;

  const sku = identifier(b, 'sku');
  if (typeof sku !== 'string') return sku;
  const warehouseId = identifier(b, 'warehouseId');
  if (typeof warehouseId !== 'string') return warehouseId;

  const q = b.quantityChange;
  if (q === undefined || q === null) return reject('missing_field', 'quantityChange is missing');
  if (typeof q !== 'number') return reject('invalid_field', 'quantityChange must be a number');
  if (!Number.isInteger(q)) return reject('invalid_quantity', 'quantityChange must be a whole number');
  if (q === 0) return reject('zero_quantity', 'quantityChange must not be zero');
  if (Math.abs(q) > MAX_ABS_QUANTITY) {
    return reject('quantity_out_of_range', `|quantityChange| must be at most ${MAX_ABS_QUANTITY}`);
  }
  if (!hasValidSign(type, q)) return reject('wrong_sign', `${type} does not accept a change of ${q}`);

  const ms = timestamp(b.timestamp);
  if (typeof ms !== 'number') return ms;
  if (ms > limits.now + FUTURE_TOLERANCE_MS)
    return reject('future_timestamp', 'timestamp is more than 1 h ahead');
  if (ms < limits.now - limits.maxEventAgeDays * DAY_MS) {
    return reject('stale_timestamp', `timestamp is older than ${limits.maxEventAgeDays} days`);
  }

  const referenceId = optionalText(b, 'referenceId');
  if (referenceId !== null && typeof referenceId !== 'string') return referenceId;
  const notes = optionalText(b, 'notes');
  if (notes !== null && typeof notes !== 'string') return notes;

  return {
    ok: true,
    event: {
      eventId,
      eventType: type === 'INVENTORY_UPDATE' ? 'ADJUSTMENT' : type,
      receivedType: type,
      sku,
      warehouseId,
      quantityChange: q,
      occurredAt: new Date(ms),
      referenceId,
      notes,
    },
  };
}
