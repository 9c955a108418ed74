import { once } from 'node:events';
import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { ensureTopics, topicNames, type TopicNames } from '../../platform/index.js';
import { EVENT_TABLES, FULFILMENT_STREAMS, type FulfilmentStream } from '../../inventory/fulfilment/index.js';
import { startChild, type StreamingChild } from './child.js';
import { fulfilmentTraffic } from './fulfilmentTraffic.js';
import {
  ledgerMatchesLevels,
  openStreamingFixture,
  produce,
  seedMasterData,
  testKafka,
  type StreamingFixture,
  type TestMaster,
} from './support.js';
import { normalTraffic } from './traffic.js';

/**
 * kill -9 of the sidecar process while it consumes the four topics at once: inventory events
 * with order, shipment and audit traffic interleaved. After each restart every topic resumes from
 * the offsets PostgreSQL committed with its rows, so in the end the stored order, shipment and
 * audit events are exactly the produced ones (none lost, none twice), their projections add up,
 * and each consumer group's offsets match its topic's end.
 */
describe('streaming: crash recovery of the sidecar on the order, shipment and audit topics', function () {
  this.timeout(300_000);
  let f: StreamingFixture;
  let master: TestMaster;
  let topics: TopicNames;
  let current: StreamingChild | undefined;

  before(async function () {
    f = await openStreamingFixture();
    master = await seedMasterData(f.db.knex, { skus: 12, warehouses: 3, unitCost: 1 });
    topics = topicNames(f.config);
    // The topics as the sidecar makes them, before the first produce (it makes them as it starts).
    await ensureTopics(f.kafka, [
      ...[topics.events, topics.orders, topics.shipments, topics.audit].map((topic) => ({
        topic,
        numPartitions: 6,
      })),
      ...[topics.dlq, topics.ordersDlq, topics.shipmentsDlq, topics.auditDlq].map((topic) => ({
        topic,
        numPartitions: 1,
      })),
    ]);
  });

  after(async function () {
    if (current && current.child.exitCode === null) current.child.kill('SIGKILL');
    await f?.close();
  });

  const groups: Record<FulfilmentStream | 'inventory', { group: string; topic: () => string }> = {
    inventory: { group: '', topic: () => topics.events },
    orders: { group: '.orders', topic: () => topics.orders },
    shipments: { group: '.shipments', topic: () => topics.shipments },
    audit: { group: '.audit', topic: () => topics.audit },
  };
  const ALL = ['inventory', ...FULFILMENT_STREAMS] as const;
  const groupOf = (s: (typeof ALL)[number]) => `${f.config.KAFKA_GROUP_ID}${groups[s].group}`;
  const countOf = async (table: string) => Number((await f.db.knex(table).count({ n: '*' }))[0]!.n);
  const storedEvents = async () => {
    let n = 0;
    for (const s of FULFILMENT_STREAMS) n += await countOf(EVENT_TABLES[s]);
    return n;
  };
  /** Next offset per partition as PostgreSQL holds it, for one group. */
  const storedOffsets = async (s: (typeof ALL)[number]): Promise<Record<string, number>> => {
    const rows = await f.db
      .knex('streaming.consumer_offsets')
      .where({ group_id: groupOf(s), topic: groups[s].topic() });
    return Object.fromEntries(
      rows.map((r: { partition: number; next_offset: string }) => [r.partition, Number(r.next_offset)]),
    );
  };
  /** The group's committed offsets in Kafka, for the partitions that have one. */
  const kafkaOffsets = async (s: (typeof ALL)[number]): Promise<Record<string, number>> => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: groupOf(s), topics: [groups[s].topic()] });
      return Object.fromEntries(
        topic!.partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]),
      );
    } finally {
      await admin.disconnect();
    }
  };
  const topicEnds = async (topic: string): Promise<Record<string, number>> => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      return Object.fromEntries(
        ends.filter((e) => Number(e.high) > 0).map((e) => [e.partition, Number(e.high)]),
      );
    } finally {
      await admin.disconnect();
    }
  };

  it('stores every produced order, shipment and audit event exactly once across repeated kill -9 restarts', async function () {
    const start = Date.now() - 50 * 60_000;
    const N = 20_000;
    const inventory = normalTraffic(master, N, { start, spacingMs: 140, seed: 9 });
    const traffic = fulfilmentTraffic(master, 1_200, { start, spacingMs: 200, seed: 9 });
    const F = FULFILMENT_STREAMS.reduce((n, s) => n + traffic.messages[s].length, 0);
    const rounds = 4;
    const slice = <T>(list: T[], r: number) =>
      list.slice(Math.floor((r * list.length) / rounds), Math.floor(((r + 1) * list.length) / rounds));
    /** The order, shipment and audit events of the rounds before `r`: their slices, summed. */
    const producedBefore = (r: number) =>
      FULFILMENT_STREAMS.reduce((n, s) => n + Math.floor((r * traffic.messages[s].length) / rounds), 0);
    const logs: string[] = [];
    const killedAt: number[] = [];
    let redelivered = 0;
    const produceRound = async (r: number) => {
      await produce(f.producer, topics.events, slice(inventory, r), 500);
      for (const s of FULFILMENT_STREAMS) {
        const list = traffic.messages[s];
        const chunk = slice(list, r);
        // Redeliver some earlier messages too, as a producer retry would.
        const from = Math.floor((r * list.length) / rounds);
        const again = list.slice(Math.max(0, from - 60), from);
        redelivered += again.length;
        const records = [...chunk, ...again].map((m) => ({ key: m.key, value: m.value }));
        await produce(f.producer, groups[s].topic(), records, 500);
      }
    };
    try {
      current = await startChild(f.config);
      await produceRound(0);
      for (let round = 1; round < rounds; round++) {
        // Kill once the earlier rounds are stored, the moment this one is on the topics: the kill
        // lands in its work (produced before the wait, a fast sidecar stored it all first).
        await waitFor(
          `round ${round}: the earlier rounds stored`,
          async () =>
            (await storedEvents()) >= producedBefore(round) &&
            (await countOf('inventory.inventory_transactions')) >= Math.floor((round * N) / rounds),
          { timeoutMs: 120_000, intervalMs: 100 },
        );
        await produceRound(round);
        current.child.kill('SIGKILL');
        await once(current.child, 'exit');
        killedAt.push(await storedEvents());
        // Kafka's committed offsets are a hint that never runs ahead of PostgreSQL's, in any group.
        for (const s of ALL) {
          const [kafka, stored] = [await kafkaOffsets(s), await storedOffsets(s)];
          for (const [partition, next] of Object.entries(kafka))
            expect(next, `${s} partition ${partition}`).to.be.at.most(stored[partition] ?? 0);
        }
        logs.push(current.log());
        current = await startChild(f.config);
      }
      await waitFor(
        'every event stored',
        async () => (await storedEvents()) === F && (await countOf('inventory.inventory_transactions')) === N,
        { timeoutMs: 180_000, intervalMs: 250 },
      );
      // The last rounds may all be stored before the last kill: its successor must be up to drain.
      await current.started();
      current.child.kill('SIGTERM');
      const [code] = (await once(current.child, 'exit')) as [number | null];
      expect(code, current.log()).to.equal(0);
      // …and each group commits what it applied to Kafka too before it leaves.
      for (const s of ALL) expect(await kafkaOffsets(s), s).to.deep.equal(await storedOffsets(s));
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n--- child logs ---\n${[...logs, current?.log()].join('\n---\n')}`,
      );
    }

    expect(killedAt, 'stored events at each kill').to.have.length(3);
    expect(killedAt[killedAt.length - 1]).to.be.below(F);
    expect(redelivered).to.be.greaterThan(0);
    for (const s of FULFILMENT_STREAMS) {
      // The stored events are the produced set: none lost, none twice.
      const ids: Array<{ event_id: string }> = await f.db.knex(EVENT_TABLES[s]).select('event_id');
      expect(ids.map((r) => r.event_id).sort(), s).to.deep.equal(
        traffic.messages[s].map((m) => m.eventId).sort(),
      );
      // Every partition consumed to its end (a producer retry may have written a message twice,
      // so compare with the log, not with what was meant to be sent).
      expect(await storedOffsets(s), s).to.deep.equal(await topicEnds(groups[s].topic()));
    }
    // The projections add up: an event applied twice would count its units twice.
    const { rows } = await f.db.knex.raw(`
      SELECT (SELECT count(*) FROM inventory.orders)::int AS orders,
             (SELECT sum(ordered_quantity) FROM inventory.order_lines)::int AS ordered,
             (SELECT coalesce(sum(picked_quantity), 0) FROM inventory.order_lines)::int AS picked,
             (SELECT count(*) FROM inventory.orders WHERE cancelled_at IS NOT NULL)::int AS cancelled,
             (SELECT count(*) FROM inventory.shipments WHERE delivered_at IS NOT NULL)::int AS delivered`);
    expect(rows[0]).to.deep.equal({
      orders: traffic.expected.orders,
      ordered: traffic.expected.unitsOrdered,
      picked: traffic.expected.unitsPicked,
      cancelled: traffic.expected.cancelled,
      delivered: traffic.expected.delivered,
    });
    expect(await countOf('inventory.inventory_transactions')).to.equal(N);
    expect(await ledgerMatchesLevels(f.db.knex)).to.equal(true);
    expect(await storedOffsets('inventory')).to.deep.equal(await topicEnds(topics.events));
  });
});
