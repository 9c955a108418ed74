import { expect } from 'chai';
import fc from 'fast-check';
import type { Config, TopicNames } from '../../platform/index.js';
import type { StreamingSidecar } from '../../streaming/index.js';
import type { MemoryBroker, MemoryRecord } from '../../streaming/transport/index.js';
import type { TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import { malformedMessage, validEvent, type EventBody, type Malformed } from './contractArbitraries.js';
import { ledgerMatchesLevels, useMemorySidecar, type TestMaster } from './support.js';

const PARTITIONS = 6;
/** Every record of a topic, partition by partition. */
const allRecords = (broker: MemoryBroker, topic: string): MemoryRecord[] =>
  Array.from({ length: PARTITIONS }, (_, p) => broker.records(topic, p)).flat();
const bytes = (v: Buffer | null) => (v === null ? '<null>' : v.toString('base64'));

/**
 * One property end to end, on the in-memory broker (no Kafka) and real PostgreSQL: a mixed batch
 * of valid events (some delivered twice) and malformed messages ends with every malformed one on
 * the DLQ topic, its original bytes and an `x-dlq-reason`, and every valid one in the ledger once.
 */
describe('streaming: mixed batches on the in-memory broker, as a property', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let m: TestMaster;
  let config: Config;
  let topics: TopicNames;
  let broker: MemoryBroker;
  let sidecar: StreamingSidecar;

  useMemorySidecar((f) => ({ db, m, config, topics, broker, sidecar } = f));

  it('dead-letters every malformed message with its reason and applies every valid event exactly once', async function () {
    const limits = { now: Date.now(), maxEventAgeDays: config.MAX_EVENT_AGE_DAYS };
    // Known ids, as producers may write them (any case, blanks around); events of the last hours.
    const known = fc.record({
      sku: fc.constantFrom(...m.skus).chain((s) => fc.constantFrom(s, s.toLowerCase(), ` ${s}`)),
      warehouseId: fc.constantFrom(...m.warehouses),
    });
    const valid = validEvent(limits, { ids: known, ageMs: 6 * 3_600_000 });
    const unknown: fc.Arbitrary<Malformed> = fc
      .tuple(validEvent(limits, { ids: known, ageMs: 3_600_000 }), fc.boolean())
      .map(([e, sku]) => ({
        value: Buffer.from(
          JSON.stringify(
            sku ? { ...e, sku: `${m.prefix}-NO-SUCH-SKU` } : { ...e, warehouseId: `${m.prefix}-NOWH` },
          ),
        ),
        reason: sku ? 'unknown_sku' : 'unknown_warehouse',
        how: 'unknown id',
      }));
    const message = fc.oneof(
      { weight: 3, arbitrary: valid.map((event) => ({ kind: 'valid' as const, event })) },
      { weight: 2, arbitrary: malformedMessage(limits, valid).map((bad) => ({ kind: 'bad' as const, bad })) },
      { weight: 1, arbitrary: unknown.map((bad) => ({ kind: 'bad' as const, bad })) },
    );
    const batch = fc.tuple(
      fc.array(message, { minLength: 1, maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 3 }),
    );

    await fc.assert(
      fc.asyncProperty(batch, async ([items, repeats]) => {
        const events = items.flatMap((i) => (i.kind === 'valid' ? [i.event] : []));
        const bad = items.flatMap((i) => (i.kind === 'bad' ? [i.bad] : []));
        // Some valid events are delivered again: they must still be applied once.
        const again = events.length === 0 ? [] : repeats.map((r) => events[r % events.length]!);
        const dlqBefore = allRecords(broker, topics.dlq).length;
        const totals = () => sidecar.totals.applied + sidecar.totals.duplicates + sidecar.totals.dlq;
        const expected = totals() + items.length + again.length;

        const publisher = await broker.publisher();
        await publisher.send(topics.events, [
          ...items.map((i) =>
            i.kind === 'valid'
              ? {
                  key: `${String(i.event.sku).trim()}:${String(i.event.warehouseId)}`,
                  value: JSON.stringify(i.event),
                }
              : { key: null, value: i.bad.value },
          ),
          ...again.map((e: EventBody) => ({
            key: `${String(e.sku).trim()}:${String(e.warehouseId)}`,
            value: JSON.stringify(e),
          })),
        ]);
        await publisher.close();
        await waitFor('the batch handled', () => totals() >= expected, { timeoutMs: 30_000 });

        const dead = allRecords(broker, topics.dlq).slice(dlqBefore);
        const got = dead.map((r) => `${String(r.headers['x-dlq-reason'])} ${bytes(r.value)}`).sort();
        const want = bad.map((b) => `${b.reason} ${bytes(b.value)}`).sort();
        expect(got).to.deep.equal(want);

        const ids = events.map((e) => String(e.eventId).trim().toLowerCase());
        const rows = await db
          .knex('inventory.inventory_transactions')
          .whereIn('event_id', ids)
          .select('event_id');
        expect(rows.map((r: { event_id: string }) => r.event_id).sort()).to.deep.equal([...ids].sort());
      }),
      { numRuns: 20, endOnFailure: true },
    );
    expect(await ledgerMatchesLevels(db.knex)).to.equal(true);
  });
});
