import fc from 'fast-check';
import {
  AUDIT_EVENT_TYPES,
  MAX_FULFILMENT_QUANTITY,
  MAX_ORDER_LINES,
  ORDER_EVENT_TYPES,
  SHIPMENT_EVENT_TYPES,
  type FulfilmentRejectReason,
  type FulfilmentStream,
} from '../../inventory/fulfilment/index.js';
import { keyOf, shapeOf, type FulfilmentBody } from './fulfilmentArbitraries.js';
import {
  DAY_MS,
  asSent,
  badTimestamp,
  fieldFaults,
  messageFaults,
  notANumber,
  withField,
  type ContractLimits,
  type Fault,
  type MalformedMessage,
} from './messageArbitraries.js';

/**
 * Malformed order, shipment and audit messages: one broken rule of a valid message (see
 * `validFulfilment`), each with the DLQ reason (and the field) that must name it. Only the rules
 * of the message's own stream and event type are broken, so every reason a stream can give comes
 * out of it, and none it cannot.
 */

export interface FulfilmentMalformed extends MalformedMessage<FulfilmentRejectReason> {
  stream: FulfilmentStream;
  /** The Kafka key of the message it was made from. */
  key: string;
}

type Body = Record<string, unknown>;
type Mutation = Fault<FulfilmentRejectReason>;

const TYPES: Record<FulfilmentStream, readonly string[]> = {
  orders: ORDER_EVENT_TYPES,
  shipments: SHIPMENT_EVENT_TYPES,
  audit: AUDIT_EVENT_TYPES,
};
const instant = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v)));

/** Every way of breaking one rule that applies to `m`. */
function mutations(limits: ContractLimits, m: FulfilmentBody): Array<fc.Arbitrary<Mutation>> {
  const b = m.body;
  const s = shapeOf(m);
  const set = (field: string, value: unknown) => withField(b, field, value);
  const body = fc.constant(b);
  const out: Array<fc.Arbitrary<Mutation>> = [
    ...fieldFaults(body, {
      required: s.required,
      ids: s.ids,
      strings: ['eventId', 'eventType', ...s.ids, ...s.texts],
      times: ['timestamp', ...s.times],
    }),
    fc
      .oneof(
        // Another stream's types are unknown here too.
        fc.constantFrom(
          ...Object.values(TYPES)
            .flat()
            .filter((t) => !TYPES[m.stream].includes(t)),
        ),
        fc.string().filter((t) => !TYPES[m.stream].includes(t.trim().toUpperCase())),
      )
      .map((t) => ({
        body: set('eventType', t),
        reason: 'unknown_event_type' as const,
        field: 'eventType',
        how: `type ${t}`,
      })),
    fc.tuple(fc.constantFrom('timestamp', ...s.times), badTimestamp).map(([field, t]) => ({
      body: set(field, t),
      reason: 'invalid_timestamp' as const,
      field,
      how: `${field} ${JSON.stringify(t)}`,
    })),
    ...messageFaults(limits, body),
    fc.constant({
      body: { ...b, xPadding: 'x'.repeat(70_000) },
      reason: 'message_too_large' as const,
      how: 'over 64 KiB',
    }),
  ];
  if (s.texts.length > 0)
    out.push(
      fc.tuple(fc.constantFrom(...s.texts), fc.integer({ min: 201, max: 400 })).map(([field, n]) => ({
        body: set(field, 'y'.repeat(n)),
        reason: 'invalid_field' as const,
        field,
        how: `${field} of ${n} characters`,
      })),
    );
  for (const { field, sign } of s.counts) {
    out.push(
      fc
        .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
        .filter((q) => !Number.isInteger(q))
        .map((q) => ({
          body: set(field, q),
          reason: 'invalid_quantity' as const,
          field,
          how: `${field} ${q}`,
        })),
      notANumber.map((v) => ({
        body: set(field, v),
        reason: 'invalid_field' as const,
        field,
        how: `${field} = ${JSON.stringify(v)}`,
      })),
      fc
        .tuple(fc.integer({ min: MAX_FULFILMENT_QUANTITY + 1, max: Number.MAX_SAFE_INTEGER }), fc.boolean())
        .map(([q, neg]) => (sign === 'non-zero' && neg ? -q : q))
        .map((q) => ({
          body: set(field, q),
          reason: 'quantity_out_of_range' as const,
          field,
          how: `${field} ${q}`,
        })),
    );
    if (sign !== 'non-negative')
      out.push(
        fc.constant({ body: set(field, 0), reason: 'zero_quantity' as const, field, how: `${field} 0` }),
      );
    if (sign !== 'non-zero')
      out.push(
        fc.integer({ min: 1, max: MAX_FULFILMENT_QUANTITY }).map((q) => ({
          body: set(field, -q),
          reason: 'wrong_sign' as const,
          field,
          how: `${field} ${-q}`,
        })),
      );
  }
  if (m.type === 'ORDER_CREATED') {
    const lines = b.lines as Body[];
    const at = instant(b.timestamp);
    out.push(
      fc.constant({
        body: set('lines', []),
        reason: 'invalid_field' as const,
        field: 'lines',
        how: 'no lines',
      }),
      fc.constant({
        body: set(
          'lines',
          Array.from({ length: MAX_ORDER_LINES + 1 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })),
        ),
        reason: 'invalid_field' as const,
        field: 'lines',
        how: 'too many lines',
      }),
      fc.constant({
        body: set('lines', [...lines, { ...lines[0]!, sku: String(lines[0]!.sku).trim().toLowerCase() }]),
        reason: 'invalid_field' as const,
        field: `lines.${lines.length}`,
        how: 'one SKU on two lines',
      }),
      fc.integer({ min: 2_000, max: 30 * DAY_MS }).map((before) => ({
        body: set('promisedDispatchAt', new Date(at - before).toISOString()),
        reason: 'invalid_timestamp' as const,
        field: 'promisedDispatchAt',
        how: `promised ${before} ms before the order`,
      })),
    );
  }
  if (m.type === 'EXCEPTION')
    out.push(
      fc
        .string()
        .filter((c) => !['DAMAGED', 'ADDRESS_ISSUE', 'DELAYED', 'LOST', 'REFUSED'].includes(c))
        .map((c) => ({
          body: set('exceptionCode', c),
          reason: 'invalid_field' as const,
          field: 'exceptionCode',
          how: `code ${c}`,
        })),
    );
  if (m.type === 'MASTER_DATA_EDIT')
    out.push(
      fc.constantFrom('stock', 'PRODUCT', 'supplier').map((e) => ({
        body: set('entity', e),
        reason: 'invalid_field' as const,
        field: 'entity',
        how: `entity ${e}`,
      })),
      fc
        .tuple(
          fc.constantFrom('oldValue', 'newValue'),
          fc.oneof(fc.constant({ a: 1 }), fc.constant([1]), fc.constant('z'.repeat(201))),
        )
        .map(([field, v]) => ({
          body: set(field, v),
          reason: 'invalid_field' as const,
          field,
          how: `${field} = ${JSON.stringify(v).slice(0, 20)}`,
        })),
    );
  return out;
}

/** One rule of a valid message of `base` broken, with the reason that names it. */
export function malformedFulfilment(
  limits: ContractLimits,
  base: fc.Arbitrary<FulfilmentBody>,
): fc.Arbitrary<FulfilmentMalformed> {
  return base.chain((m) =>
    fc.oneof(...mutations(limits, m)).map((f) => ({ stream: m.stream, key: keyOf(m), ...asSent(f) })),
  );
}
