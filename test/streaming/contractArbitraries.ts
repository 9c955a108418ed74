import fc from 'fast-check';
import {
  EVENT_TYPES,
  MAX_ABS_QUANTITY,
  REQUIRED_SIGN,
  type EventType,
} from '../../inventory/events/index.js';
import type { DlqReason } from '../../streaming/index.js';
import {
  asSent,
  badTimestamp,
  fieldFaults,
  identifier,
  messageFaults,
  notANumber,
  oldestValid,
  timestampText,
  type ContractLimits,
  type Fault,
  type MalformedMessage,
} from './messageArbitraries.js';

/**
 * fast-check generators of the SPEC §3 event contract: valid events, and malformed messages made
 * by one mutation of a valid event, each with the DLQ reason (and the field) that names its fault.
 */

export type { ContractLimits };

/** A JSON object of a valid event, as a producer would send it. */
export type EventBody = Record<string, unknown>;

/** A malformed message, what it must be dead-lettered as, and the field at fault (if one). */
export type Malformed = MalformedMessage<DlqReason>;

const SIGNED_TYPES = EVENT_TYPES.filter((t) => REQUIRED_SIGN[t] !== 0);

function quantityFor(type: EventType): fc.Arbitrary<number> {
  const magnitude = fc.integer({ min: 1, max: MAX_ABS_QUANTITY });
  const sign = REQUIRED_SIGN[type];
  if (sign === 0) return fc.tuple(magnitude, fc.boolean()).map(([m, neg]) => (neg ? -m : m));
  return magnitude.map((m) => m * sign);
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
  const oldest = oldestValid(limits, options.ageMs);
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

const REQUIRED = ['eventId', 'eventType', 'sku', 'warehouseId', 'quantityChange', 'timestamp'] as const;
const FIELDS = {
  required: REQUIRED,
  ids: ['sku', 'warehouseId'],
  strings: ['eventId', 'eventType', 'sku', 'warehouseId', 'referenceId', 'notes'],
  times: ['timestamp'],
};

/** One mutation of a valid event: the message it gives and the reason that must name its fault. */
export function malformedMessage(
  limits: ContractLimits,
  base: fc.Arbitrary<EventBody>,
): fc.Arbitrary<Malformed> {
  const on = <T>(extra: fc.Arbitrary<T>, mutate: (e: EventBody, x: T) => Fault<DlqReason>) =>
    fc.tuple(base, extra).map(([e, x]) => mutate(e, x));
  const set = (e: EventBody, field: string, value: unknown) => ({ ...e, [field]: value });

  return fc
    .oneof(
      ...fieldFaults(base, FIELDS),
      on(notANumber, (e, v) => ({
        body: set(e, 'quantityChange', v),
        reason: 'invalid_field',
        field: 'quantityChange',
        how: `quantityChange = ${JSON.stringify(v)}`,
      })),
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
        fc
          .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
          .filter((q) => !Number.isInteger(q)),
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
      on(badTimestamp, (e, t) => ({
        body: set(e, 'timestamp', t),
        reason: 'invalid_timestamp',
        how: `timestamp ${JSON.stringify(t)}`,
      })),
      ...messageFaults(limits, base),
      base.map((e) => ({
        body: { ...e, notes: 'x'.repeat(70_000) },
        reason: 'message_too_large' as const,
        how: 'over 64 KiB',
      })),
    )
    .map(asSent);
}
