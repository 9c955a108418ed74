import { expect } from 'chai';
import { FULFILMENT_STREAMS } from '../../inventory/fulfilment/index.js';
import { waitFor } from '../support/wait.js';
import { fulfilmentCorpus, type BadMessage, type CorpusMessage } from './fulfilmentCorpus.js';
import { fulfilmentKafka, hex, send, storedCounts, topicsOf } from './fulfilmentKafka.js';

/**
 * The order, shipment and audit topics under bad input, on real Kafka with topics of this file's
 * own (KAFKA_TOPIC_SUFFIX): every malformed message lands on its topic's `.dlq` with its original
 * key, bytes and `x-dlq-reason`, and the valid events around it are stored exactly once.
 */
describe('streaming: bad input on the order, shipment and audit topics (Kafka)', function () {
  this.timeout(180_000);
  const f = fulfilmentKafka();

  it('dead-letters the kcat-style corpus on each topic’s own DLQ with its reason, and stores the valid events around it once', async function () {
    const corpus = fulfilmentCorpus(f.m);
    // Good and bad interleaved on the same keys, so on the same partitions.
    const first: CorpusMessage[] = [];
    const goodAndRepeats = [...corpus.good, ...corpus.repeats];
    for (let i = 0; i < Math.max(goodAndRepeats.length, corpus.bad.length); i++) {
      if (goodAndRepeats[i]) first.push(goodAndRepeats[i]!);
      if (corpus.bad[i]) first.push(corpus.bad[i]!);
    }
    await send(f, first);
    const t = f.sidecar.fulfilmentTotals;
    await waitFor('the corpus settled', () => f.settled() === first.length, { timeoutMs: 60_000 });
    // The repeats of what was stored, with other content, come after it on its partition.
    await send(f, corpus.conflicting);
    const expected: BadMessage[] = [...corpus.bad, ...corpus.conflicting];
    await waitFor('every dead letter read back', () => f.dead.records.length >= expected.length, {
      timeoutMs: 60_000,
    });

    for (const stream of FULFILMENT_STREAMS) {
      const { topic, dlq } = topicsOf(f.topics, stream);
      const got = f.dead.records.filter((r) => r.topic === dlq);
      const want = expected.filter((b) => b.stream === stream);
      expect(got.map((r) => `${r.headers['x-dlq-reason']} ${hex(r.value)}`).sort(), stream).to.deep.equal(
        want.map((b) => `${b.reason} ${hex(b.value)}`).sort(),
      );
      for (const r of got) {
        expect(r.headers['x-source-topic']).to.equal(topic);
        expect(r.headers['x-source-offset']).to.match(/^\d+$/);
        expect(r.headers['x-dlq-detail']).to.be.a('string').and.not.equal('');
        expect(want.map((b) => b.key)).to.include(r.key);
      }
      const good = corpus.good.filter((g) => g.stream === stream).map((g) => g.eventId);
      const stored = await storedCounts(f, stream, good);
      expect(stored.map((r) => [r.event_id, r.n]).sort(), stream).to.deep.equal(
        good.map((id) => [id, 1]).sort(),
      );
      expect(t[stream].applied, stream).to.equal(good.length);
      expect(t[stream].duplicates, stream).to.equal(corpus.repeats.filter((r) => r.stream === stream).length);
      expect(t[stream].dlq, stream).to.equal(want.length);
    }
    expect(f.dead.records).to.have.length(expected.length);
    // Every reason of the contract occurred.
    expect(new Set(expected.map((b) => b.reason)).size).to.equal(18);
    const line = await f.db.knex('inventory.order_lines').where({ sku: f.m.skus[0] }).first();
    expect(line).to.include({ ordered_quantity: 2, reserved_quantity: 2, picked_quantity: 2 });
    const metrics = await f.sidecar.metrics.registry.getSingleMetricAsString('messages_processed_total');
    expect(metrics).to.include(`topic="${f.topics.audit}",status="dlq"} ${t.audit.dlq}`);

    // No partition is blocked: one more event of each stream is stored.
    const later = fulfilmentCorpus(f.m).good.filter(
      (g, i, all) => all.findIndex((x) => x.stream === g.stream) === i,
    );
    await send(f, later);
    await waitFor('the later events stored', async () => {
      for (const g of later) if ((await storedCounts(f, g.stream, [g.eventId])).length !== 1) return false;
      return true;
    });
  });
});
