import { expect } from 'chai';
import fc from 'fast-check';
import { FULFILMENT_STREAMS, type FulfilmentStream } from '../../inventory/fulfilment/index.js';
import { waitFor } from '../support/wait.js';
import { keyOf, validFulfilment, type FulfilmentBody } from './fulfilmentArbitraries.js';
import type { BadMessage, CorpusMessage } from './fulfilmentCorpus.js';
import { fulfilmentKafka, hex, send, storedCounts, topicsOf } from './fulfilmentKafka.js';
import { malformedFulfilment } from './fulfilmentMalformed.js';
import type { TestMaster } from './support.js';

type Body = Record<string, unknown>;

/**
 * The message with an id master data does not have: a warehouse (`unknown_warehouse`), or a SKU
 * (`unknown_sku`); undefined when the message names no such id.
 */
function withUnknownId(m: FulfilmentBody, master: TestMaster, sku: boolean): BadMessage | undefined {
  const nope = `${master.prefix}-NOPE`;
  const nowhere = `${master.prefix}-NOWHERE`;
  const b = structuredClone(m.body);
  const set = (field: string, value: string): Body => ({ ...b, [field]: value });
  let body: Body | undefined;
  if (m.type === 'ORDER_CREATED')
    body = sku ? { ...b, lines: [{ ...(b.lines as Body[])[0], sku: nope }] } : set('warehouseId', nowhere);
  else if (m.type === 'MASTER_DATA_EDIT') {
    if (b.entity === 'product' && sku) body = set('entityId', nope);
    else if (b.entity === 'warehouse' && !sku) body = set('entityId', nowhere);
    else if (b.sku !== undefined) body = sku ? set('sku', nope) : set('warehouseId', nowhere);
  } else if (!sku) body = set('warehouseId', nowhere);
  else if (b.sku !== undefined) body = set('sku', nope);
  if (!body) return undefined;
  return {
    stream: m.stream,
    key: keyOf(m),
    reason: sku ? 'unknown_sku' : 'unknown_warehouse',
    value: Buffer.from(JSON.stringify(body)),
  };
}

const asMessage = (m: FulfilmentBody, body: Body = m.body): CorpusMessage => ({
  stream: m.stream,
  key: keyOf(m),
  value: Buffer.from(JSON.stringify(body)),
});
const instant = (v: unknown) => (typeof v === 'number' ? v : Date.parse(String(v)));

/**
 * One property end to end on real Kafka and PostgreSQL: mixed batches of the three topics —
 * valid events (some delivered again), malformed messages, ids master data lacks, and repeats of
 * stored events with other content — end with every refused message on its topic's DLQ with its
 * reason and original bytes, and every valid event stored once.
 */
describe('streaming: mixed batches on the order, shipment and audit topics (Kafka), as a property', function () {
  this.timeout(600_000);
  const f = fulfilmentKafka();

  it('dead-letters every refused message with its reason on its own DLQ and stores every valid event exactly once', async function () {
    const limits = { now: Date.now(), maxEventAgeDays: f.config.MAX_EVENT_AGE_DAYS };
    const known = {
      sku: fc.constantFrom(...f.m.skus).chain((s) => fc.constantFrom(s, s.toLowerCase(), ` ${s}`)),
      warehouseId: fc.constantFrom(...f.m.warehouses),
    };
    const valid = validFulfilment(limits, { ids: known, uniqueIds: true, ageMs: 6 * 3_600_000 });
    const unknown = fc
      .tuple(valid, fc.boolean())
      .map(([v, sku]) => withUnknownId(v, f.m, sku))
      .filter((b): b is BadMessage => b !== undefined);
    const item = fc.oneof(
      { weight: 3, arbitrary: valid.map((event) => ({ kind: 'valid' as const, event })) },
      {
        weight: 2,
        arbitrary: malformedFulfilment(limits, valid).map((bad) => ({ kind: 'bad' as const, bad })),
      },
      { weight: 1, arbitrary: unknown.map((bad) => ({ kind: 'bad' as const, bad })) },
    );
    const batch = fc.record({
      items: fc.array(item, { minLength: 1, maxLength: 30 }),
      again: fc.array(fc.nat(), { maxLength: 3 }),
      conflicting: fc.array(fc.nat(), { maxLength: 2 }),
    });

    await fc.assert(
      fc.asyncProperty(batch, async ({ items, again, conflicting }) => {
        const events = items.flatMap((i) => (i.kind === 'valid' ? [i.event] : []));
        const bad = items.flatMap((i) => (i.kind === 'bad' ? [i.bad] : []));
        const pick = (n: number) => events[n % events.length]!;
        // Redelivered as they are: duplicates. The same eventId a second earlier: conflicting.
        const repeats = events.length === 0 ? [] : again.map((n) => asMessage(pick(n)));
        const conflicts: BadMessage[] =
          events.length === 0
            ? []
            : [...new Set(conflicting.map((n) => n % events.length))].map((n) => {
                const e = events[n]!;
                const at = new Date(instant(e.body.timestamp) - 1_000).toISOString();
                return { ...asMessage(e, { ...e.body, timestamp: at }), reason: 'conflicting_duplicate' };
              });
        const deadBefore = f.dead.records.length;
        const before = f.settled();

        await send(f, [...items.map((i) => (i.kind === 'valid' ? asMessage(i.event) : i.bad)), ...repeats]);
        await waitFor('the batch settled', () => f.settled() >= before + items.length + repeats.length, {
          timeoutMs: 60_000,
        });
        await send(f, conflicts);
        const expected = [...bad, ...conflicts];
        // Dead letters are published at least once (a chunk retried after publishing them, or a
        // producer's retried request, sends one again): compared as the distinct letters of each
        // DLQ, once every expected one is there.
        const lettersOf = (stream: FulfilmentStream) =>
          new Set(
            f.dead.records
              .slice(deadBefore)
              .filter((r) => r.topic === topicsOf(f.topics, stream).dlq)
              .map((r) => `${r.headers['x-dlq-reason']} ${hex(r.value)}`),
          );
        const expectedOf = (stream: FulfilmentStream) =>
          new Set(expected.filter((b) => b.stream === stream).map((b) => `${b.reason} ${hex(b.value)}`));
        await waitFor(
          'its dead letters read back',
          () =>
            FULFILMENT_STREAMS.every((stream) => {
              const got = lettersOf(stream);
              return [...expectedOf(stream)].every((letter) => got.has(letter));
            }),
          { timeoutMs: 60_000 },
        );

        const total = before + items.length + repeats.length + conflicts.length;
        await waitFor('the conflicting repeats counted', () => f.settled() >= total, { timeoutMs: 60_000 });
        for (const stream of FULFILMENT_STREAMS) {
          expect([...lettersOf(stream)].sort(), stream).to.deep.equal([...expectedOf(stream)].sort());
          const ids = events
            .filter((e) => e.stream === stream)
            .map((e) => String(e.body.eventId).trim().toLowerCase());
          const stored = await storedCounts(f, stream, ids);
          expect(stored.map((r) => [r.event_id, r.n]).sort()).to.deep.equal(ids.map((id) => [id, 1]).sort());
        }
      }),
      { numRuns: 20, endOnFailure: true },
    );
  });
});
