import { once } from 'node:events';
import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { ensureTopics, topicNames } from '../../platform/index.js';
import {
  ledgerMatchesLevels,
  openStreamingFixture,
  produce,
  seedMasterData,
  type StreamingFixture,
  testKafka,
  type TestMaster,
  windowMismatches,
} from './support.js';
import { startChild, type StreamingChild } from './child.js';
import { expectedLevels, normalTraffic } from './traffic.js';

describe('streaming: crash recovery of the sidecar process', function () {
  this.timeout(180_000);
  let f: StreamingFixture;
  let master: TestMaster;
  let current: StreamingChild | undefined;

  before(async function () {
    f = await openStreamingFixture();
    master = await seedMasterData(f.db.knex, { skus: 20, warehouses: 5, unitCost: 1 });
    // The topics as the sidecar makes them, before the first produce: a child slow to start (a
    // loaded machine) would otherwise leave the producer's retries nothing to write to.
    const topics = topicNames(f.config);
    await ensureTopics(f.kafka, [
      { topic: topics.events, numPartitions: 6 },
      { topic: topics.dlq, numPartitions: 1 },
    ]);
  });

  after(async function () {
    if (current && current.child.exitCode === null) current.child.kill('SIGKILL');
    await f?.close();
  });

  const ledgerCount = async () =>
    Number((await f.db.knex('inventory.inventory_transactions').count({ n: '*' }))[0]!.n);
  /** Next offset per partition as PostgreSQL holds it. */
  const storedOffsets = async (): Promise<Record<string, number>> => {
    const rows = await f.db.knex('streaming.consumer_offsets').where({ group_id: f.config.KAFKA_GROUP_ID });
    return Object.fromEntries(
      rows.map((r: { partition: number; next_offset: string }) => [r.partition, Number(r.next_offset)]),
    );
  };
  /** The group's committed offset per partition in Kafka, for the partitions that have one. */
  const kafkaOffsets = async (): Promise<Record<string, number>> => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({
        groupId: f.config.KAFKA_GROUP_ID,
        topics: [topicNames(f.config).events],
      });
      return Object.fromEntries(
        topic!.partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]),
      );
    } finally {
      await admin.disconnect();
    }
  };

  it('applies every event exactly once across repeated kill -9 restarts, and its windows match the ledger', async function () {
    const topics = topicNames(f.config);
    // The size the issue asks for. Event time spans the last 47 minutes, so none is in the future.
    const N = 100_000;
    const events = normalTraffic(master, N, { start: Date.now() - 50 * 60_000, spacingMs: 28, seed: 7 });
    const rounds = 4;
    const per = Math.ceil(N / rounds);
    const logs: string[] = [];
    const killedAt: number[] = [];
    let produced = 0;
    const produceRound = async (round: number) => {
      const chunk = events.slice(round * per, (round + 1) * per);
      // Redeliver some earlier events too, as a producer retry would.
      const again = events.slice(Math.max(0, round * per - 300), round * per);
      await produce(f.producer, topics.events, [...chunk, ...again], 500);
      produced += chunk.length + again.length;
    };
    try {
      current = await startChild(f.config);
      await produceRound(0);
      // One kill -9 at each quarter of the stream, the moment the next quarter is on the topic,
      // so each one lands in the middle of the work (a quarter produced before the wait could be
      // applied in full by then on a quiet machine).
      for (let round = 1; round < rounds; round++) {
        await waitFor(
          `the sidecar to apply ${round} quarter(s)`,
          async () => (await ledgerCount()) >= round * per,
          {
            timeoutMs: 60_000,
          },
        );
        await produceRound(round);
        current.child.kill('SIGKILL');
        await once(current.child, 'exit');
        killedAt.push(await ledgerCount());
        // Kafka's committed offsets are a hint that never runs ahead of PostgreSQL's.
        const [kafka, stored] = [await kafkaOffsets(), await storedOffsets()];
        for (const [partition, next] of Object.entries(kafka)) {
          expect(next, `partition ${partition}`).to.be.at.most(stored[partition] ?? 0);
        }
        logs.push(current.log());
        current = await startChild(f.config);
      }
      await waitFor('every event in the ledger', async () => (await ledgerCount()) === N, {
        timeoutMs: 90_000,
        intervalMs: 250,
      });

      // SIGTERM drains and exits cleanly.
      await current.started();
      current.child.kill('SIGTERM');
      const [code] = (await once(current.child, 'exit')) as [number | null];
      expect(code, current.log()).to.equal(0);
      // …and commits what it applied to Kafka too before it leaves the group.
      expect(await kafkaOffsets()).to.deep.equal(await storedOffsets());
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n--- child logs ---\n${[...logs, current?.log()].join('\n---\n')}`,
      );
    }

    expect(await ledgerCount()).to.equal(N);
    expect(killedAt, 'ledger rows at each kill').to.have.length(3);
    expect(killedAt[killedAt.length - 1]).to.be.below(N);
    const levels = await f.db
      .knex('inventory.inventory_levels')
      .select('sku', 'warehouse_id', 'quantity_on_hand', 'quantity_reserved');
    const expected = expectedLevels(events);
    expect(levels).to.have.length(expected.size);
    for (const l of levels) {
      expect({ onHand: l.quantity_on_hand, reserved: l.quantity_reserved }).to.deep.equal(
        expected.get(`${l.sku}:${l.warehouse_id}`),
      );
    }
    expect(await ledgerMatchesLevels(f.db.knex)).to.equal(true);

    // Every partition was consumed to its end (a producer retry may have written a message twice,
    // so compare with the log, not with what we meant to send).
    const offsets = await f.db
      .knex('streaming.consumer_offsets')
      .where({ group_id: f.config.KAFKA_GROUP_ID });
    const admin = testKafka().admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topics.events);
    await admin.disconnect();
    expect(Object.fromEntries(offsets.map((o) => [o.partition, Number(o.next_offset)]))).to.deep.equal(
      Object.fromEntries(ends.filter((e) => Number(e.high) > 0).map((e) => [e.partition, Number(e.high)])),
    );
    expect(ends.reduce((sum, e) => sum + Number(e.high), 0)).to.be.at.least(produced);

    const windows = await windowMismatches(f.db.knex);
    expect(windows.windows).to.be.greaterThan(100);
    expect(windows.mismatches).to.deep.equal([]);
  });
});
