import { expect } from 'chai';
import fc from 'fast-check';
import {
  FULFILMENT_REJECT_REASONS,
  FULFILMENT_STREAMS,
  validateFulfilmentMessage,
  type FulfilmentRejectReason,
  type FulfilmentStream,
} from '../../inventory/fulfilment/index.js';
import type { ContractLimits } from './contractArbitraries.js';
import { expectedIds, validFulfilment } from './fulfilmentArbitraries.js';
import { malformedFulfilment } from './fulfilmentMalformed.js';

/**
 * Properties of the order, shipment and audit validation (inventory/fulfilment/CONTRACT.md), over
 * messages fast-check makes (no services needed). Master data and repeats are the store's: the
 * Kafka specs (fulfilmentDlq.kafka.test.ts) cover `unknown_sku`, `unknown_warehouse` and
 * `conflicting_duplicate`.
 */
describe('streaming: the order, shipment and audit contracts, as properties', function () {
  const limits: ContractLimits = { now: Date.parse('2026-03-01T12:00:00Z'), maxEventAgeDays: 400 };
  const valid = validFulfilment(limits);

  it('accepts every valid message of each stream, in any id case, time form and with fields it does not know', function () {
    fc.assert(
      fc.property(valid, (m) => {
        const v = validateFulfilmentMessage(m.stream, Buffer.from(JSON.stringify(m.body)), limits);
        if (!v.ok) throw new Error(`${m.stream} ${m.type} rejected as ${v.reason}: ${v.detail}`);
        expect(v.event).to.deep.include({ stream: m.stream, eventType: m.type, ...expectedIds(m) });
        expect(v.event.occurredAt.getTime()).to.be.within(
          limits.now - limits.maxEventAgeDays * 86_400_000,
          limits.now + 3_600_000,
        );
      }),
      { numRuns: 3_000 },
    );
  });

  it('dead-letters every malformed message with the reason that names its fault, and the field', function () {
    const seen = new Map<FulfilmentStream, Set<FulfilmentRejectReason>>(
      FULFILMENT_STREAMS.map((s) => [s, new Set()]),
    );
    fc.assert(
      fc.property(malformedFulfilment(limits, valid), (m) => {
        const v = validateFulfilmentMessage(m.stream, m.value, limits);
        if (v.ok) throw new Error(`accepted a ${m.stream} message ${m.how}`);
        expect(v.reason, `${m.stream}: ${m.how}`).to.equal(m.reason);
        if (m.field) expect(v.detail, `${m.stream}: ${m.how}`).to.include(m.field);
        seen.get(m.stream)!.add(m.reason);
      }),
      { numRuns: 6_000 },
    );
    // Every reason of the contract the validator gives alone came up, on every stream it applies to.
    const store: FulfilmentRejectReason[] = ['unknown_sku', 'unknown_warehouse', 'conflicting_duplicate'];
    const quantities: FulfilmentRejectReason[] = [
      'invalid_quantity',
      'zero_quantity',
      'wrong_sign',
      'quantity_out_of_range',
    ];
    for (const stream of FULFILMENT_STREAMS) {
      const expected = FULFILMENT_REJECT_REASONS.filter(
        (r) => !store.includes(r) && (stream !== 'shipments' || !quantities.includes(r)),
      );
      expect([...seen.get(stream)!].sort(), stream).to.deep.equal([...expected].sort());
    }
  });

  it('never throws, whatever the bytes, on any of the three streams', function () {
    fc.assert(
      fc.property(
        fc.constantFrom(...FULFILMENT_STREAMS),
        fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
        (stream, bytes) => {
          const v = validateFulfilmentMessage(stream, bytes === null ? null : Buffer.from(bytes), limits);
          expect(v.ok).to.be.a('boolean');
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never throws on JSON objects made of the contract’s own field names with any values', function () {
    const names = fc.constantFrom(
      'eventId',
      'eventType',
      'timestamp',
      'orderId',
      'warehouseId',
      'sku',
      'quantity',
      'lines',
      'promisedDispatchAt',
      'shipmentId',
      'carrier',
      'exceptionCode',
      'actor',
      'entity',
      'entityId',
      'field',
      'oldValue',
      'countedQuantity',
      'quantityChange',
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...FULFILMENT_STREAMS),
        fc.dictionary(names, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 10 }),
        (stream, body) => {
          const v = validateFulfilmentMessage(stream, Buffer.from(JSON.stringify(body)), limits);
          expect(v.ok).to.be.a('boolean');
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
