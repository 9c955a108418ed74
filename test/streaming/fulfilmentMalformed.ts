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
import type { ContractLimits } from './contractArbitraries.js';
import { keyOf, shapeOf, type FulfilmentBody } from './fulfilmentArbitraries.js';

/**
 * Malformed order, shipment and audit messages: one broken rule of a valid message (see
 * `validFulfilment`), each with the DLQ reason (and the field) that must name it. Only the rules
 * of the message's own stream and event type are broken, so every reason a stream can give comes
 * out of it, and none it cannot.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface FulfilmentMalformed {
  stream: FulfilmentStream;
  /** The Kafka key of the message it was made from. */
  key: string;
  value: Buffer | null;
  reason: FulfilmentRejectReason;
  /** A field the detail names. */
  field?: string;
  /** The mutation, for the counterexample fast-check prints. */
  how: string;
}

type Body = Record<string, unknown>;
type Mutation = Omit<FulfilmentMalformed, 'stream' | 'key' | 'value'> & {
  body?: unknown;
  value?: Buffer | null;
};

const TYPES: Record<FulfilmentStream, readonly string[]> = {
  orders: ORDER_EVENT_TYPES,
  shipments: SHIPMENT_EVENT_TYPES,
  audit: AUDIT_EVENT_TYPES,
};
/** A copy of `body` with the (dotted) field set, or removed when `value` is undefined. */
function withField(body: Body, field: string, value: unknown): Body {
  const copy = structuredClone(body);
  const path = field.split('.');
  let at: Record<string, unknown> = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string, unknown>;
  if (value === undefined) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
  return copy;
}

const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 }));
const notANumber = fc.oneof(
  fc.string().map((s) => `${s}1`),
  fc.boolean(),
  fc.constant([1]),
  fc.constant({ n: 1 }),
);
const BAD_TIMES = fc.oneof(
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
);
const instant = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v)));

/** Every way of breaking one rule that applies to `m`. */
function mutations(limits: ContractLimits, m: FulfilmentBody): Array<fc.Arbitrary<Mutation>> {
  const b = m.body;
  const s = shapeOf(m);
  const set = (field: string, value: unknown) => withField(b, field, value);
  const out: Array<fc.Arbitrary<Mutation>> = [
    fc.constantFrom(...s.required).map((field) => ({
      body: set(field, undefined),
      reason: 'missing_field' as const,
      field,
      how: `without ${field}`,
    })),
    fc.constantFrom(...s.required).map((field) => ({
      body: set(field, null),
      reason: 'missing_field' as const,
      field,
      how: `${field} null`,
    })),
    fc.tuple(fc.constantFrom(...s.ids), fc.stringMatching(/^[ \t]*$/)).map(([field, blank]) => ({
      body: set(field, blank),
      reason: 'missing_field' as const,
      field,
      how: `${field} blank`,
    })),
    fc.tuple(fc.constantFrom('eventId', 'eventType', ...s.ids, ...s.texts), notAString).map(([field, v]) => ({
      body: set(field, v),
      reason: 'invalid_field' as const,
      field,
      how: `${field} = ${JSON.stringify(v)}`,
    })),
    fc.tuple(fc.constantFrom(...s.ids), fc.integer({ min: 65, max: 300 })).map(([field, n]) => ({
      body: set(field, 'A'.repeat(n)),
      reason: 'invalid_field' as const,
      field,
      how: `${field} of ${n} characters`,
    })),
    fc
      .tuple(
        fc.constantFrom('timestamp', ...s.times),
        fc.oneof(fc.boolean(), fc.constant([]), fc.constant({})),
      )
      .map(([field, v]) => ({
        body: set(field, v),
        reason: 'invalid_field' as const,
        field,
        how: `${field} = ${JSON.stringify(v)}`,
      })),
    fc
      .oneof(
        fc.string().filter((x) => !/^\s*[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}\s*$/i.test(x)),
        fc.uuid().map((u) => u.replace(/-/g, '')),
        fc.uuid().map((u) => `${u}0`),
      )
      .map((id) => ({
        body: set('eventId', id),
        reason: 'invalid_event_id' as const,
        field: 'eventId',
        how: `eventId ${id}`,
      })),
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
    fc.tuple(fc.constantFrom('timestamp', ...s.times), BAD_TIMES).map(([field, t]) => ({
      body: set(field, t),
      reason: 'invalid_timestamp' as const,
      field,
      how: `${field} ${JSON.stringify(t)}`,
    })),
    fc.integer({ min: 2 * HOUR_MS, max: 400 * DAY_MS }).map((ahead) => ({
      body: set('timestamp', new Date(limits.now + ahead).toISOString()),
      reason: 'future_timestamp' as const,
      how: `${ahead} ms ahead`,
    })),
    fc.integer({ min: DAY_MS, max: 3_000 * DAY_MS }).map((behind) => ({
      body: set('timestamp', limits.now - limits.maxEventAgeDays * DAY_MS - behind),
      reason: 'stale_timestamp' as const,
      how: `${behind} ms too old`,
    })),
    // Bytes that are not a JSON object at all.
    fc.integer({ min: 1, max: 20 }).map((cut) => ({
      value: Buffer.from(JSON.stringify(b).slice(0, -cut)),
      reason: 'invalid_json' as const,
      how: `cut by ${cut}`,
    })),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((junk) => ({
      // 0xFF never occurs in UTF-8.
      value: Buffer.concat([Buffer.from([0xff]), Buffer.from(junk), Buffer.from(JSON.stringify(b))]),
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
        body: v,
        reason: 'not_an_object' as const,
        how: `JSON ${JSON.stringify(v).slice(0, 40)}`,
      })),
    fc
      .constantFrom(null, Buffer.alloc(0))
      .map((v) => ({ value: v, reason: 'empty_message' as const, how: 'empty' })),
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
    fc.oneof(...mutations(limits, m)).map(({ body, value, ...rest }) => ({
      stream: m.stream,
      key: keyOf(m),
      value: value !== undefined ? value : Buffer.from(JSON.stringify(body)),
      ...rest,
    })),
  );
}
