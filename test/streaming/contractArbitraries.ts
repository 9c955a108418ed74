import fc from 'fast-check';
import {
  EVENT_TYPES,
  MAX_ABS_QUANTITY,
  REQUIRED_SIGN,
  type EventType,
} from '../../inventory/events/index.js';
import type { DlqReason } from '../../streaming/index.js';

/**
 * fast-check generators of the SPEC §3 event contract: valid events, and malformed messages made
 * by one mutation of a valid event, each with the DLQ reason (and the field) that names its fault.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ContractLimits {
  /** The validator's clock, epoch ms. */
  now: number;
  maxEventAgeDays: number;
}

/** A JSON object of a valid event, as a producer would send it. */
export type EventBody = Record<string, unknown>;

/** A malformed message, what it must be dead-lettered as, and the field at fault (if one). */
export interface Malformed {
  value: Buffer | null;
  reason: DlqReason;
  field?: string;
  /** The mutation, for the counterexample fast-check prints. */
  how: string;
}

const SIGNED_TYPES = EVENT_TYPES.filter((t) => REQUIRED_SIGN[t] !== 0);
/** An id: printable ASCII without blanks at either end, at most 64 characters once upper-cased. */
const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.:/#-]{0,40}[A-Za-z0-9]$/);

function quantityFor(type: EventType): fc.Arbitrary<number> {
  const magnitude = fc.integer({ min: 1, max: MAX_ABS_QUANTITY });
  const sign = REQUIRED_SIGN[type];
  if (sign === 0) return fc.tuple(magnitude, fc.boolean()).map(([m, neg]) => (neg ? -m : m));
  return magnitude.map((m) => m * sign);
}

/** The ways a producer may write one instant: ISO with Z, with an offset, or epoch milliseconds. */
function timestampText(ms: number): fc.Arbitrary<string | number> {
  return fc.constantFrom<Array<string | number>>(
    new Date(ms).toISOString(),
    new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    new Date(ms + 2 * HOUR_MS).toISOString().replace('Z', '+02:00'),
    new Date(ms - 5 * HOUR_MS - 30 * 60_000).toISOString().replace('Z', '-05:30'),
    ms,
  );
}

/**
 * Valid events. `ids` picks SKU and warehouse (the master data's, for specs that apply them);
 * `ageMs` bounds how old a timestamp is. Ids and types may come in any case and with blanks
 * around them, and an event may carry fields the contract does not name: all of it is valid.
 */
export function validEvent(
  limits: ContractLimits,
  options: { ids?: fc.Arbitrary<{ sku: string; warehouseId: string }>; ageMs?: number } = {},
): fc.Arbitrary<EventBody> {
  // A margin of a minute either side: the validator's clock runs on while a spec does.
  const oldest = limits.now - Math.min(options.ageMs ?? Infinity, limits.maxEventAgeDays * DAY_MS - 60_000);
  const ids = options.ids ?? fc.record({ sku: identifier, warehouseId: identifier });
  return fc
    .record({
      eventId: fc.uuid().chain((u) => fc.constantFrom(u, u.toUpperCase(), ` ${u} `)),
      eventType: fc.constantFrom(...EVENT_TYPES),
      ids,
      ms: fc.integer({ min: oldest, max: limits.now + 50 * 60_000 }),
      referenceId: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      notes: fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.constant(null)), { nil: undefined }),
      extra: fc.dictionary(fc.stringMatching(/^x[A-Za-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), {
        maxKeys: 2,
      }),
      caseOfType: fc.constantFrom('as is', 'lower', 'padded'),
    })
    .chain((e) =>
      fc.tuple(quantityFor(e.eventType), timestampText(e.ms)).map(([quantityChange, timestamp]) => {
        const type =
          e.caseOfType === 'lower'
            ? e.eventType.toLowerCase()
            : e.caseOfType === 'padded'
              ? ` ${e.eventType} `
              : e.eventType;
        const body: EventBody = {
          ...e.extra,
          eventId: e.eventId,
          eventType: type,
          sku: e.ids.sku,
          warehouseId: e.ids.warehouseId,
          quantityChange,
          timestamp,
        };
        if (e.referenceId !== undefined) body.referenceId = e.referenceId;
        if (e.notes !== undefined) body.notes = e.notes;
        return body;
      }),
    );
}

const json = (body: unknown) => Buffer.from(JSON.stringify(body));
const REQUIRED = ['eventId', 'eventType', 'sku', 'warehouseId', 'quantityChange', 'timestamp'] as const;
const STRING_FIELDS = ['eventId', 'eventType', 'sku', 'warehouseId'] as const;

/** Values of a type no field of the contract takes where a string or a number is wanted. */
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 }));
const notANumber = fc.oneof(
  fc.string().map((s) => `${s}1`),
  fc.boolean(),
  fc.constant([1]),
  fc.constant({ n: 1 }),
);

/** One mutation of a valid event: the message it gives and the reason that must name its fault. */
export function malformedMessage(
  limits: ContractLimits,
  base: fc.Arbitrary<EventBody>,
): fc.Arbitrary<Malformed> {
  const on = <T>(
    extra: fc.Arbitrary<T>,
    mutate: (e: EventBody, x: T) => Omit<Malformed, 'value'> & { body: unknown },
  ): fc.Arbitrary<Malformed> =>
    fc.tuple(base, extra).map(([e, x]) => {
      const { body, ...rest } = mutate({ ...e }, x);
      return { value: json(body), ...rest };
    });
  const set = (e: EventBody, field: string, value: unknown) => ({ ...e, [field]: value });

  return fc.oneof(
    on(fc.constantFrom(...REQUIRED), (e, field) => {
      delete e[field];
      return { body: e, reason: 'missing_field', field, how: `without ${field}` };
    }),
    on(fc.constantFrom(...REQUIRED), (e, field) => ({
      body: set(e, field, null),
      reason: 'missing_field',
      field,
      how: `${field} null`,
    })),
    on(
      fc.tuple(fc.constantFrom('sku', 'warehouseId'), fc.stringMatching(/^[ \t]*$/)),
      (e, [field, blank]) => ({
        body: set(e, field, blank),
        reason: 'missing_field',
        field,
        how: `${field} blank`,
      }),
    ),
    on(fc.tuple(fc.constantFrom(...STRING_FIELDS), notAString), (e, [field, v]) => ({
      body: set(e, field, v),
      reason: 'invalid_field',
      field,
      how: `${field} = ${JSON.stringify(v)}`,
    })),
    on(fc.tuple(fc.constantFrom('referenceId', 'notes'), notAString), (e, [field, v]) => ({
      body: set(e, field, v),
      reason: 'invalid_field',
      field,
      how: `${field} = ${JSON.stringify(v)}`,
    })),
    on(notANumber, (e, v) => ({
      body: set(e, 'quantityChange', v),
      reason: 'invalid_field',
      field: 'quantityChange',
      how: `quantityChange = ${JSON.stringify(v)}`,
    })),
    on(fc.oneof(fc.boolean(), fc.constant([]), fc.constant({})), (e, v) => ({
      body: set(e, 'timestamp', v),
      reason: 'invalid_field',
      field: 'timestamp',
      how: `timestamp = ${JSON.stringify(v)}`,
    })),
    on(
      fc.tuple(fc.constantFrom('sku', 'warehouseId'), fc.integer({ min: 65, max: 300 })),
      (e, [field, n]) => ({
        body: set(e, field, 'A'.repeat(n)),
        reason: 'invalid_field',
        field,
        how: `${field} of ${n} characters`,
      }),
    ),
    on(
      fc.oneof(
        fc.string().filter((s) => !/^\s*[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}\s*$/i.test(s)),
        fc.uuid().map((u) => u.replace(/-/g, '')),
        fc.uuid().map((u) => `${u}0`),
      ),
      (e, id) => ({
        body: set(e, 'eventId', id),
        reason: 'invalid_event_id',
        field: 'eventId',
        how: `eventId ${id}`,
      }),
    ),
    on(
      fc.string().filter((s) => !(EVENT_TYPES as readonly string[]).includes(s.trim().toUpperCase())),
      (e, t) => ({
        body: set(e, 'eventType', t),
        reason: 'unknown_event_type',
        field: 'eventType',
        how: `type ${t}`,
      }),
    ),
    on(fc.constant(0), (e) => ({
      body: set(set(e, 'eventType', 'ADJUSTMENT'), 'quantityChange', 0),
      reason: 'zero_quantity',
      how: 'zero',
    })),
    on(
      fc.oneof(
        fc
          .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
          .filter((q) => !Number.isInteger(q)),
      ),
      (e, q) => ({
        body: set(e, 'quantityChange', q),
        reason: 'invalid_quantity',
        how: `quantity ${q}`,
      }),
    ),
    on(
      fc.tuple(fc.integer({ min: MAX_ABS_QUANTITY + 1, max: Number.MAX_SAFE_INTEGER }), fc.boolean()),
      (e, [m, neg]) => ({
        body: set(set(e, 'eventType', 'ADJUSTMENT'), 'quantityChange', neg ? -m : m),
        reason: 'quantity_out_of_range',
        how: `quantity ${neg ? -m : m}`,
      }),
    ),
    on(
      fc.tuple(fc.constantFrom(...SIGNED_TYPES), fc.integer({ min: 1, max: MAX_ABS_QUANTITY })),
      (e, [type, m]) => ({
        body: set(set(e, 'eventType', type), 'quantityChange', -REQUIRED_SIGN[type] * m),
        reason: 'wrong_sign',
        how: `${type} ${-REQUIRED_SIGN[type] * m}`,
      }),
    ),
    on(
      fc.oneof(
        fc.constantFrom(
          'yesterday',
          '2026-01-01',
          '2026-01-01T10:00:00',
          '01/02/2026 10:00Z',
          '',
          '2026-13-45T00:00:00Z',
        ),
        fc.integer({ min: -1e12, max: -1 }),
        fc.double({ noNaN: true, min: 1, max: 1e12 }).filter((n) => !Number.isInteger(n)),
      ),
      (e, t) => ({
        body: set(e, 'timestamp', t),
        reason: 'invalid_timestamp',
        how: `timestamp ${JSON.stringify(t)}`,
      }),
    ),
    on(fc.integer({ min: 2 * HOUR_MS, max: 400 * DAY_MS }), (e, ahead) => ({
      body: set(e, 'timestamp', new Date(limits.now + ahead).toISOString()),
      reason: 'future_timestamp',
      how: `${ahead} ms ahead`,
    })),
    on(fc.integer({ min: DAY_MS, max: 3_000 * DAY_MS }), (e, behind) => ({
      body: set(e, 'timestamp', limits.now - limits.maxEventAgeDays * DAY_MS - behind),
      reason: 'stale_timestamp',
      how: `${behind} ms too old`,
    })),
    // Bytes that are not a JSON object at all.
    fc.tuple(base, fc.integer({ min: 1, max: 20 })).map(([e, cut]) => {
      const text = JSON.stringify(e);
      return {
        value: Buffer.from(text.slice(0, -cut)),
        reason: 'invalid_json' as const,
        how: `cut by ${cut}`,
      };
    }),
    fc.tuple(base, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([e, junk]) => ({
      // 0xFF never occurs in UTF-8.
      value: Buffer.concat([Buffer.from([0xff]), Buffer.from(junk), json(e)]),
      reason: 'invalid_json' as const,
      how: 'not UTF-8',
    })),
    fc
      .oneof(
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        fc.integer(),
        fc.string(),
        fc.constant(null),
      )
      .map((v) => ({
        value: json(v),
        reason: 'not_an_object' as const,
        how: `JSON ${JSON.stringify(v).slice(0, 40)}`,
      })),
    fc
      .constantFrom(null, Buffer.alloc(0))
      .map((v) => ({ value: v, reason: 'empty_message' as const, how: 'empty' })),
    base.map((e) => ({
      value: json({ ...e, notes: 'x'.repeat(70_000) }),
      reason: 'message_too_large' as const,
      how: 'over 64 KiB',
    })),
  );
}
