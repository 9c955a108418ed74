import fc from 'fast-check';

/**
 * What the fast-check generators of both contracts share — the inventory events'
 * (contractArbitraries.ts) and the order, shipment and audit messages' (fulfilmentArbitraries.ts,
 * fulfilmentMalformed.ts): the validator's clock, ids, the ways to write an instant, and the
 * faults any JSON message can have whatever its fields, each with the DLQ reason that must name it.
 */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export interface ContractLimits {
  /** The validator's clock, epoch ms. */
  now: number;
  maxEventAgeDays: number;
}

/**
 * The oldest instant a valid message may carry: at most `ageMs` ago, and a minute inside the age
 * limit (the validator's clock runs on while a spec does).
 */
export const oldestValid = (limits: ContractLimits, ageMs?: number) =>
  limits.now - Math.min(ageMs ?? Infinity, limits.maxEventAgeDays * DAY_MS - 60_000);

/** An id: printable ASCII without blanks at either end, at most 64 characters once upper-cased. */
export const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.:/#-]{0,40}[A-Za-z0-9]$/);

/** The ways a producer may write one instant: ISO with Z, without milliseconds, with an offset, or epoch ms. */
export function timestampText(ms: number): fc.Arbitrary<string | number> {
  return fc.constantFrom<Array<string | number>>(
    new Date(ms).toISOString(),
    new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    new Date(ms + 2 * HOUR_MS).toISOString().replace('Z', '+02:00'),
    new Date(ms - 5 * HOUR_MS - 30 * 60_000).toISOString().replace('Z', '-05:30'),
    ms,
  );
}

type Body = Record<string, unknown>;

/** One fault of a message: its body (sent as JSON) or its raw bytes, and what must name it. */
export interface Fault<Reason extends string> {
  body?: unknown;
  value?: Buffer | null;
  reason: Reason;
  /** A field the detail names. */
  field?: string;
  /** The mutation, for the counterexample fast-check prints. */
  how: string;
}

/** A malformed message as sent, what it must be dead-lettered as, and the field at fault (if one). */
export interface MalformedMessage<Reason extends string> extends Omit<Fault<Reason>, 'body' | 'value'> {
  value: Buffer | null;
}

/** The message a fault gives: its own bytes, or its body as JSON. */
export function asSent<Reason extends string>({
  body,
  value,
  ...rest
}: Fault<Reason>): MalformedMessage<Reason> {
  return { value: value !== undefined ? value : Buffer.from(JSON.stringify(body)), ...rest };
}

/** A copy of `body` with the (dotted) field set, or removed when `value` is undefined. */
export function withField(body: Body, field: string, value: unknown): Body {
  const copy = structuredClone(body);
  const path = field.split('.');
  let at: Body = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Body;
  if (value === undefined) delete at[path.at(-1)!];
  else at[path.at(-1)!] = value;
  return copy;
}

/** Values of a type no field of a contract takes where a string or a number is wanted. */
export const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ a: 1 }));
export const notANumber = fc.oneof(
  fc.string().map((s) => `${s}1`),
  fc.boolean(),
  fc.constant([1]),
  fc.constant({ n: 1 }),
);
/** Strings and numbers no timestamp field takes. */
export const badTimestamp = fc.oneof(
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

/** The fields of a message its field faults break. */
export interface FieldsToBreak {
  required: readonly string[];
  /** Ids: blank → missing_field, over 64 characters → invalid_field. */
  ids: readonly string[];
  /** Fields that take a string only. */
  strings: readonly string[];
  /** Fields that take a string or a number (an instant). */
  times: readonly string[];
}

/** Each fault of `base` made by one of `extra`'s values. */
const faultOf =
  <R extends string>(base: fc.Arbitrary<Body>) =>
  <T>(extra: fc.Arbitrary<T>, fault: (b: Body, x: T) => Fault<R>): fc.Arbitrary<Fault<R>> =>
    fc.tuple(base, extra).map(([b, x]) => fault(b, x));

/** A field of a message of `base` missing, null, blank, of the wrong type or too long. */
export function fieldFaults(
  base: fc.Arbitrary<Body>,
  fields: FieldsToBreak,
): Array<fc.Arbitrary<Fault<'missing_field' | 'invalid_field'>>> {
  const on = faultOf<'missing_field' | 'invalid_field'>(base);
  const wrongType = (field: string, v: unknown) => `${field} = ${JSON.stringify(v)}`;
  return [
    on(fc.constantFrom(...fields.required), (b, field) => ({
      body: withField(b, field, undefined),
      reason: 'missing_field',
      field,
      how: `without ${field}`,
    })),
    on(fc.constantFrom(...fields.required), (b, field) => ({
      body: withField(b, field, null),
      reason: 'missing_field',
      field,
      how: `${field} null`,
    })),
    on(fc.tuple(fc.constantFrom(...fields.ids), fc.stringMatching(/^[ \t]*$/)), (b, [field, blank]) => ({
      body: withField(b, field, blank),
      reason: 'missing_field',
      field,
      how: `${field} blank`,
    })),
    on(fc.tuple(fc.constantFrom(...fields.strings), notAString), (b, [field, v]) => ({
      body: withField(b, field, v),
      reason: 'invalid_field',
      field,
      how: wrongType(field, v),
    })),
    on(fc.tuple(fc.constantFrom(...fields.ids), fc.integer({ min: 65, max: 300 })), (b, [field, n]) => ({
      body: withField(b, field, 'A'.repeat(n)),
      reason: 'invalid_field',
      field,
      how: `${field} of ${n} characters`,
    })),
    on(
      fc.tuple(fc.constantFrom(...fields.times), fc.oneof(fc.boolean(), fc.constant([]), fc.constant({}))),
      (b, [field, v]) => ({
        body: withField(b, field, v),
        reason: 'invalid_field',
        field,
        how: wrongType(field, v),
      }),
    ),
  ];
}

type MessageFaultReason =
  | 'invalid_event_id'
  | 'future_timestamp'
  | 'stale_timestamp'
  | 'invalid_json'
  | 'not_an_object'
  | 'empty_message';

/**
 * The faults of a message of `base` whatever its contract: an eventId that is no UUID, a
 * timestamp ahead of the clock or past the age limit, bytes that are no JSON, JSON that is no
 * object, and no bytes at all.
 */
export function messageFaults(
  limits: ContractLimits,
  base: fc.Arbitrary<Body>,
): Array<fc.Arbitrary<Fault<MessageFaultReason>>> {
  const on = faultOf<MessageFaultReason>(base);
  return [
    on(
      fc.oneof(
        fc.string().filter((s) => !/^\s*[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}\s*$/i.test(s)),
        fc.uuid().map((u) => u.replace(/-/g, '')),
        fc.uuid().map((u) => `${u}0`),
      ),
      (b, id) => ({
        body: withField(b, 'eventId', id),
        reason: 'invalid_event_id',
        field: 'eventId',
        how: `eventId ${id}`,
      }),
    ),
    on(fc.integer({ min: 2 * HOUR_MS, max: 400 * DAY_MS }), (b, ahead) => ({
      body: withField(b, 'timestamp', new Date(limits.now + ahead).toISOString()),
      reason: 'future_timestamp',
      how: `${ahead} ms ahead`,
    })),
    on(fc.integer({ min: DAY_MS, max: 3_000 * DAY_MS }), (b, behind) => ({
      body: withField(b, 'timestamp', limits.now - limits.maxEventAgeDays * DAY_MS - behind),
      reason: 'stale_timestamp',
      how: `${behind} ms too old`,
    })),
    on(fc.integer({ min: 1, max: 20 }), (b, cut) => ({
      value: Buffer.from(JSON.stringify(b).slice(0, -cut)),
      reason: 'invalid_json',
      how: `cut by ${cut}`,
    })),
    on(fc.uint8Array({ minLength: 1, maxLength: 8 }), (b, junk) => ({
      // 0xFF never occurs in UTF-8.
      value: Buffer.concat([Buffer.from([0xff]), Buffer.from(junk), Buffer.from(JSON.stringify(b))]),
      reason: 'invalid_json',
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
  ];
}
