import { expect } from 'chai';
import { waitFor } from '../support/wait.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import {
  ServiceUnavailableError,
  WareflowError,
  topicNames,
  type Config,
  type TopicNames,
} from '../../platform/index.js';
import { createStreamingMetrics, startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import {
  memoryBroker,
  type BatchControl,
  type Broker,
  type InboundMessage,
  type MemoryBroker,
} from '../../streaming/transport/index.js';
import { AlertMailer, Ingestor, MasterData } from '../../streaming/pipeline/index.js';
import { createLogger, type Redis } from '../../platform/index.js';
import type { Mailer } from '../../platform/mail/index.js';
import { loadPartitionProgress } from '../../streaming/store/index.js';
import type { InventoryEvent } from '../../inventory/events/index.js';
import {
  ledgerMatchesLevels,
  makeEvent,
  seedMasterData,
  streamingConfig,
  type TestMaster,
} from './support.js';

/** The chunk runner and its stages on the in-memory broker: no Kafka, real PostgreSQL. */
describe('streaming on the in-memory broker', function () {
  let db: TestDatabase;
  let m: TestMaster;
  let config: Config;
  let topics: TopicNames;
  const sidecars: StreamingSidecar[] = [];

  before(async function () {
    db = await createTestDatabase();
    m = await seedMasterData(db.knex);
  });

  beforeEach(function () {
    // A consumer group and topic names of its own per spec; the database is shared.
    config = streamingConfig(db.url);
    topics = topicNames(config);
  });

  afterEach(async function () {
    for (const s of sidecars.splice(0).reverse()) await s.close();
  });

  after(async function () {
    await db?.drop();
  });

  const start = async (broker: Broker, options: { chunkSize?: number } = {}) => {
    const s = await startStreaming(config, { broker, port: false, retryDelayMs: [10, 50], ...options });
    sidecars.push(s);
    return s;
  };
  const send = async (broker: Broker, items: Array<InventoryEvent | string>) => {
    const publisher = await broker.publisher();
    await publisher.send(
      topics.events,
      items.map((item) =>
        typeof item === 'string'
          ? { key: null, value: item }
          : { key: `${item.sku}:${item.warehouseId}`, value: JSON.stringify(item) },
      ),
    );
    await publisher.close();
  };
  const ledgerCount = async (eventIds: string[]) =>
    Number(
      (await db.knex('inventory.inventory_transactions').whereIn('event_id', eventIds).count({ n: '*' }))[0]!
        .n,
    );
  /** The partition of the events topic that holds a pair's events. */
  const partitionOf = (broker: MemoryBroker, eventId: string) =>
    [0, 1, 2, 3, 4, 5].find((p) => broker.records(topics.events, p).some((r) => r.value?.includes(eventId)))!;
  const sales = (n: number, sku = m.skus[0]!, warehouseId = m.warehouses[0]!) =>
    Array.from({ length: n }, () => makeEvent({ sku, warehouseId }));

  it('applies the valid events of a batch to the ledger and dead-letters the malformed ones with their reasons', async function () {
    const broker = memoryBroker();
    const sidecar = await start(broker);
    const good = [...sales(3), ...sales(2, m.skus[1]!, m.warehouses[1]!)];
    const zero = makeEvent({ sku: m.skus[0]!, warehouseId: m.warehouses[0]!, quantityChange: 0 });
    const unknown = makeEvent({ sku: `${m.prefix}-NOPE`, warehouseId: m.warehouses[0]! });
    await send(broker, [good[0]!, 'not json', good[1]!, zero, good[2]!, unknown, good[3]!, good[4]!]);

    await waitFor('the batch applied', () => sidecar.totals.applied + sidecar.totals.dlq === 8);
    expect(sidecar.totals.applied).to.equal(5);
    expect(await ledgerCount(good.map((e) => e.eventId))).to.equal(5);
    const dlq = broker.records(topics.dlq, 0);
    expect(dlq.map((r) => String(r.headers['x-dlq-reason'])).sort()).to.deep.equal([
      'invalid_json',
      'unknown_sku',
      'zero_quantity',
    ]);
    expect(dlq.find((r) => r.headers['x-dlq-reason'] === 'invalid_json')!.value!.toString()).to.equal(
      'not json',
    );
    // Every partition's offset is marked done up to its end once PostgreSQL committed it.
    for (let p = 0; p < 6; p++) {
      const end = broker.records(topics.events, p).length;
      if (end > 0) expect(broker.committed(config.KAFKA_GROUP_ID, topics.events, p)).to.equal(String(end));
    }
    expect(await ledgerMatchesLevels(db.knex)).to.equal(true);
  });

  it('retries a chunk whose publish failed from the offset PostgreSQL stored, and applies nothing twice', async function () {
    const broker = memoryBroker({ maxBatchMessages: 30 });
    let dlqSends = 0;
    // The second chunk's publish fails once, after its rows were written in the transaction.
    const failing: Broker = {
      ...broker,
      async publisher() {
        const real = await broker.publisher();
        return {
          send: async (topic, messages) => {
            if (topic === topics.dlq && ++dlqSends === 2) throw new ServiceUnavailableError('kafka', 'gone');
            return real.send(topic, messages);
          },
          close: () => real.close(),
        };
      },
    };
    const sidecar = await start(failing, { chunkSize: 10 });
    const events = sales(30);
    await send(broker, events);

    await waitFor(
      'every event applied',
      async () => (await ledgerCount(events.map((e) => e.eventId))) === 30,
    );
    await waitFor('the last chunk observed', () => sidecar.totals.applied === 30);
    expect(sidecar.totals.retries).to.equal(1);
    expect(sidecar.totals.duplicates).to.equal(0);
    const p = partitionOf(broker, events[0]!.eventId);
    const progress = await loadPartitionProgress(db.knex, config.KAFKA_GROUP_ID, topics.events, p);
    expect(progress?.nextOffset).to.equal('30');
    expect(await ledgerMatchesLevels(db.knex)).to.equal(true);
  });

  it('waits out a permanent failure at the longest retry delay, and a retriable one from the shortest', async function () {
    const broker = memoryBroker({ maxBatchMessages: 30 });
    const failedAt: Record<string, number> = {};
    const retriedAt: Record<string, number> = {};
    let failure: 'retriable' | 'permanent' | undefined;
    const failing: Broker = {
      ...broker,
      async publisher() {
        const real = await broker.publisher();
        return {
          send: async (topic, messages) => {
            if (topic === topics.dlq && failure) {
              if (failedAt[failure] === undefined) {
                failedAt[failure] = Date.now();
                throw failure === 'permanent'
                  ? new WareflowError('a defect no retry fixes', { retriable: false })
                  : new ServiceUnavailableError('kafka', 'gone');
              }
              retriedAt[failure] ??= Date.now();
            }
            return real.send(topic, messages);
          },
          close: () => real.close(),
        };
      },
    };
    const s = await startStreaming(config, { broker: failing, port: false, retryDelayMs: [10, 1_500] });
    sidecars.push(s);
    for (const kind of ['retriable', 'permanent'] as const) {
      failure = kind;
      await send(broker, sales(5));
      await waitFor(`the ${kind} failure retried`, () => retriedAt[kind] !== undefined);
    }
    expect(retriedAt.permanent! - failedAt.permanent!).to.be.at.least(1_400);
    expect(s.totals.retries).to.equal(2);
    expect(await ledgerMatchesLevels(db.knex)).to.equal(true);
  });

  it('refuses a committed offset ahead of the one PostgreSQL stored: it seeks back and skips nothing', async function () {
    const broker = memoryBroker();
    const first = sales(10);
    const sidecar = await start(broker);
    await send(broker, first);
    await waitFor('the first events', () => sidecar.totals.applied === 10);
    await sidecar.close();
    sidecars.splice(sidecars.indexOf(sidecar), 1);

    const rest = sales(10);
    await send(broker, rest);
    const p = partitionOf(broker, first[0]!.eventId);
    // The broker's offset says five of the new events were done; PostgreSQL never saw them.
    broker.commitOffset(config.KAFKA_GROUP_ID, topics.events, p, '15');
    const next = await start(broker);
    await waitFor('the rest', () => next.totals.applied === 10);
    expect(await ledgerCount(rest.map((e) => e.eventId))).to.equal(10);
    expect(next.totals.duplicates).to.equal(0);
    expect(broker.committed(config.KAFKA_GROUP_ID, topics.events, p)).to.equal('20');
  });

  it('after a rebalance the partition is reloaded from PostgreSQL, and redelivered events below the stored offset are skipped', async function () {
    const broker = memoryBroker();
    const events = sales(8);
    const sidecar = await start(broker);
    await send(broker, events);
    await waitFor('the events', () => sidecar.totals.applied === 8);
    const p = partitionOf(broker, events[0]!.eventId);
    // The broker forgets what was done: the next generation is handed the partition from offset 0.
    broker.commitOffset(config.KAFKA_GROUP_ID, topics.events, p, '0');
    broker.rebalance(config.KAFKA_GROUP_ID);
    await waitFor(
      'the offset marked done again',
      () => broker.committed(config.KAFKA_GROUP_ID, topics.events, p) === '8',
    );
    expect(sidecar.totals.applied).to.equal(8);
    expect(sidecar.totals.duplicates).to.equal(0); // skipped by the stored offset, not re-inserted
    expect(await ledgerCount(events.map((e) => e.eventId))).to.equal(8);
  });

  it('refuses the chunk of a member whose offset went stale: the fence rolls it back and it resumes from PostgreSQL', async function () {
    const broker = memoryBroker();
    await broker.ensureTopics([
      { topic: topics.events, numPartitions: 6 },
      { topic: topics.dlq },
      { topic: topics.alerts },
      { topic: topics.analytics },
    ]);
    const events = sales(10);
    await send(broker, events);
    const p = partitionOf(broker, events[0]!.eventId);
    const records = broker.records(topics.events, p);
    const logger = createLogger({ level: 'silent' });
    const master = new MasterData(db.knex, logger);
    await master.start();
    const publisher = await broker.publisher();
    const mailer: Mailer = { send: async () => '', close: () => undefined };
    const ingestor = () =>
      new Ingestor(
        {
          db: db.knex,
          // Not ready: the metric cache is skipped.
          redis: { status: 'end' } as unknown as Redis,
          publisher,
          master,
          mailer: new AlertMailer(mailer, logger),
          metrics: createStreamingMetrics(),
          logger,
        },
        {
          groupId: config.KAFKA_GROUP_ID,
          topics,
          maxEventAgeDays: config.MAX_EVENT_AGE_DAYS,
          allowedLatenessMs: config.ALLOWED_LATENESS_MS,
          retryDelayMs: [10, 10],
        },
      );
    const done: string[] = [];
    const control: BatchControl = {
      heartbeat: async () => undefined,
      isActive: () => true,
      markDone: (next) => void done.push(next),
      seek: () => expect.fail('no seek expected'),
      pause: () => () => undefined,
    };
    const batch = (messages: readonly InboundMessage[]) => ({
      topic: topics.events,
      partition: p,
      messages: [...messages],
      highWatermark: String(records.length),
    });
    try {
      const [older, newer] = [ingestor(), ingestor()];
      older.onAssignment([p]);
      newer.onAssignment([p]);
      await older.handleBatch(batch(records.slice(0, 5)), control);
      // The partition moves to a new owner, which applies the rest…
      await newer.handleBatch(batch(records), control);
      // …while the older member, still holding its state at offset 5, applies the same chunk.
      await older.handleBatch(batch(records.slice(5)), control);

      expect(older.totals.retries).to.equal(1);
      expect([older.totals.applied, newer.totals.applied]).to.deep.equal([5, 5]);
      expect(done).to.deep.equal(['5', '10', '10']);
      expect(await ledgerCount(events.map((e) => e.eventId))).to.equal(10);
      expect(await ledgerMatchesLevels(db.knex)).to.equal(true);
    } finally {
      master.close();
      await publisher.close();
    }
  });
});
