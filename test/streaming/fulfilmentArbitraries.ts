import fc from 'fast-check';
import {
  AUDIT_EVENT_TYPES,
  MAX_FULFILMENT_QUANTITY,
  ORDER_EVENT_TYPES,
  SHIPMENT_EVENT_TYPES,
  SHIPMENT_EXCEPTION_CODES,
  type FulfilmentStream,
} from '../../inventory/fulfilment/index.js';
import { DAY_MS, identifier, oldestValid, timestampText, type ContractLimits } from './messageArbitraries.js';

/**
 * fast-check generators of valid order, shipment and audit messages (inventory/fulfilment/
 * CONTRACT.md), as a producer may write them: ids and types in any case and with blanks around,
 * times in any accepted form, fields the contract does not name. `fulfilmentMalformed.ts` breaks
 * them one rule at a time.
 */

/** A message body of one stream, as sent. */
export interface FulfilmentBody {
  stream: FulfilmentStream;
  /** The event type as the contract spells it (the body may spell it otherwise). */
  type: string;
  body: Record<string, unknown>;
}

export interface FulfilmentArbitraryOptions {
  /** SKUs and warehouses (the master data's, for specs that store them). */
  ids?: { sku: fc.Arbitrary<string>; warehouseId: fc.Arbitrary<string> };
  /** EventIds, orders, shipments and actors unique to each event (no two share an id or a natural key). */
  uniqueIds?: boolean;
  /** Bounds how old a timestamp is. */
  ageMs?: number;
  /** Only these streams. */
  streams?: readonly FulfilmentStream[];
}

/** An id in any case, sometimes with blanks around (the validator trims and upper-cases). */
const anyCase = (id: fc.Arbitrary<string>) => id.chain((s) => fc.constantFrom(s, s.toLowerCase(), ` ${s} `));
const text = fc.string({ maxLength: 60 });

const typeCase = (type: string) => fc.constantFrom(type, type.toLowerCase(), ` ${type} `);
const quantity = fc.integer({ min: 1, max: MAX_FULFILMENT_QUANTITY });
/** Present or absent. */
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Valid messages of the three streams (or of `options.streams`). */
export function validFulfilment(
  limits: ContractLimits,
  options: FulfilmentArbitraryOptions = {},
): fc.Arbitrary<FulfilmentBody> {
  // A margin of a minute either side: the validator's clock runs on while a spec does.
  const oldest = oldestValid(limits, options.ageMs);
  const ids = options.ids ?? { sku: identifier, warehouseId: identifier };
  const sku = ids.sku;
  const warehouseId = ids.warehouseId;
  const unique = (prefix: string) =>
    options.uniqueIds ? fc.noBias(fc.uuid()).map((u) => `${prefix}-${u}`) : identifier;
  const common = fc.record({
    eventId: (options.uniqueIds ? fc.noBias(fc.uuid()) : fc.uuid()).chain((u) =>
      fc.constantFrom(u, u.toUpperCase(), ` ${u} `),
    ),
    ms: fc.integer({ min: oldest, max: limits.now + 50 * 60_000 }),
    extra: fc.dictionary(fc.stringMatching(/^x[A-Za-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 2,
    }),
  });
  const message = (
    stream: FulfilmentStream,
    types: readonly string[],
    fields: (type: string, ms: number) => fc.Arbitrary<Record<string, unknown>>,
  ): fc.Arbitrary<FulfilmentBody> =>
    fc.tuple(common, fc.constantFrom(...types)).chain(([c, type]) =>
      fc.tuple(typeCase(type), timestampText(c.ms), fields(type, c.ms)).map(([eventType, timestamp, f]) => ({
        stream,
        type,
        body: { ...c.extra, eventId: c.eventId, eventType, timestamp, ...defined(f) },
      })),
    );

  const orders = message('orders', ORDER_EVENT_TYPES, (type, ms) => {
    const base = { orderId: anyCase(unique('ORDER')), warehouseId: anyCase(warehouseId) };
    switch (type) {
      case 'ORDER_CREATED':
        return fc.record({
          ...base,
          lines: fc
            .uniqueArray(sku, { minLength: 1, maxLength: 5, selector: (s) => s.trim().toUpperCase() })
            .chain((skus) =>
              fc.tuple(...skus.map((s) => fc.record({ sku: anyCase(fc.constant(s)), quantity }))),
            ),
          // At least a second after the creation: a form without milliseconds rounds down.
          promisedDispatchAt: fc
            .integer({ min: 1_000, max: 10 * DAY_MS })
            .chain((d) => timestampText(ms + d)),
          customerId: maybe(anyCase(identifier)),
        });
      case 'LINE_RESERVED':
      case 'LINE_PICKED':
        return fc.record({ ...base, sku: anyCase(sku), quantity });
      case 'ORDER_CANCELLED':
        return fc.record({ ...base, reason: maybe(text) });
      default:
        return fc.record(base);
    }
  });

  const shipments = message('shipments', SHIPMENT_EVENT_TYPES, (type) =>
    fc.record({
      shipmentId: anyCase(unique('SHP')),
      orderId: anyCase(identifier),
      warehouseId: anyCase(warehouseId),
      carrier: anyCase(identifier),
      trackingNumber: maybe(text),
      location: maybe(text),
      ...(type === 'EXCEPTION'
        ? { exceptionCode: fc.constantFrom(...SHIPMENT_EXCEPTION_CODES), detail: maybe(text) }
        : {}),
    }),
  );

  const scalar = fc.oneof(
    fc.string({ maxLength: 50 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const audit = message('audit', AUDIT_EVENT_TYPES, (type) => {
    const actor = options.uniqueIds ? unique('clerk') : identifier;
    switch (type) {
      case 'STOCK_COUNT':
        return fc.record({
          actor,
          sku: anyCase(sku),
          warehouseId: anyCase(warehouseId),
          countedQuantity: fc.integer({ min: 0, max: MAX_FULFILMENT_QUANTITY }),
          expectedQuantity: maybe(fc.integer({ min: 0, max: MAX_FULFILMENT_QUANTITY })),
        });
      case 'MANUAL_ADJUSTMENT':
        return fc.record({
          actor,
          sku: anyCase(sku),
          warehouseId: anyCase(warehouseId),
          quantityChange: fc.tuple(quantity, fc.boolean()).map(([q, neg]) => (neg ? -q : q)),
          referenceId: maybe(text),
          reasonCode: maybe(anyCase(identifier)),
        });
      default:
        // What an edit is about names a product, a warehouse or a pair of both.
        return fc
          .record({
            actor,
            entity: fc.constantFrom('product', 'warehouse', 'stock_policy'),
            sku,
            warehouseId,
            field: identifier,
            oldValue: maybe(scalar),
            newValue: maybe(scalar),
            named: fc.boolean(),
          })
          .map(({ entity, sku: s, warehouseId: w, named, ...rest }) => ({
            ...rest,
            entity,
            // A pair's id stays within the 64 characters an id may have.
            entityId:
              entity === 'product' ? s : entity === 'warehouse' ? w : `${s.slice(0, 30)}:${w.slice(0, 30)}`,
            ...(named && entity === 'stock_policy' ? { sku: s, warehouseId: w } : {}),
          }));
    }
  });

  const all = { orders, shipments, audit };
  return fc.oneof(...(options.streams ?? (['orders', 'shipments', 'audit'] as const)).map((s) => all[s]));
}

/** The fields of a message an accepted event must carry, normalised (for the properties). */
export function expectedIds(m: FulfilmentBody): Record<string, string> {
  const up = (v: unknown) => String(v).trim().toUpperCase();
  const b = m.body;
  const eventId = String(b.eventId).trim().toLowerCase();
  switch (m.stream) {
    case 'orders':
      return { eventId, orderId: up(b.orderId), warehouseId: up(b.warehouseId) };
    case 'shipments':
      return {
        eventId,
        shipmentId: up(b.shipmentId),
        warehouseId: up(b.warehouseId),
        carrier: up(b.carrier),
      };
    case 'audit':
      return { eventId, actor: String(b.actor).trim() };
  }
}

/** The Kafka key the contract gives a message (orderId, shipmentId, `entity:entityId`). */
export function keyOf(m: FulfilmentBody): string {
  const b = m.body;
  const up = (v: unknown) => String(v).trim().toUpperCase();
  switch (m.stream) {
    case 'orders':
      return up(b.orderId);
    case 'shipments':
      return up(b.shipmentId);
    case 'audit':
      return b.entity === undefined
        ? `stock:${up(b.sku)}:${up(b.warehouseId)}`
        : `${String(b.entity)}:${up(b.entityId)}`;
  }
}

const LINE_TYPES = ['LINE_RESERVED', 'LINE_PICKED'];

/** The fields of one event type, by the rule that breaks them (for the malformed messages). */
export interface Shape {
  required: string[];
  /** Ids: blank → missing_field, over 64 characters → invalid_field. */
  ids: string[];
  /** Optional text: at most 200 characters. */
  texts: string[];
  /** Whole numbers, with the sign each must have. */
  counts: Array<{ field: string; sign: 'positive' | 'non-negative' | 'non-zero' }>;
  /** Times (besides `timestamp`). */
  times: string[];
}

export function shapeOf(m: FulfilmentBody): Shape {
  const s: Shape = {
    required: ['eventId', 'eventType', 'timestamp'],
    ids: [],
    texts: [],
    counts: [],
    times: [],
  };
  switch (m.stream) {
    case 'orders':
      s.required.push('orderId', 'warehouseId');
      s.ids.push('orderId', 'warehouseId');
      if (m.type === 'ORDER_CREATED') {
        s.required.push('lines', 'promisedDispatchAt');
        s.ids.push('customerId', 'lines.0.sku');
        s.counts.push({ field: 'lines.0.quantity', sign: 'positive' });
        s.times.push('promisedDispatchAt');
      } else if (LINE_TYPES.includes(m.type)) {
        s.required.push('sku', 'quantity');
        s.ids.push('sku');
        s.counts.push({ field: 'quantity', sign: 'positive' });
      } else if (m.type === 'ORDER_CANCELLED') s.texts.push('reason');
      break;
    case 'shipments':
      s.required.push('shipmentId', 'orderId', 'warehouseId', 'carrier');
      s.ids.push('shipmentId', 'orderId', 'warehouseId', 'carrier');
      s.texts.push('trackingNumber', 'location');
      if (m.type === 'EXCEPTION') {
        s.required.push('exceptionCode');
        s.texts.push('detail');
      }
      break;
    case 'audit':
      s.required.push('actor');
      s.ids.push('actor');
      if (m.type === 'MASTER_DATA_EDIT') {
        s.required.push('entity', 'entityId', 'field');
        s.ids.push('entityId', 'field');
      } else {
        s.required.push('sku', 'warehouseId');
        s.ids.push('sku', 'warehouseId');
        if (m.type === 'STOCK_COUNT') {
          s.required.push('countedQuantity');
          s.counts.push(
            { field: 'countedQuantity', sign: 'non-negative' },
            { field: 'expectedQuantity', sign: 'non-negative' },
          );
        } else {
          s.required.push('quantityChange');
          s.ids.push('reasonCode');
          s.texts.push('referenceId');
          s.counts.push({ field: 'quantityChange', sign: 'non-zero' });
        }
      }
  }
  return s;
}
