import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { InventoryEvent } from '../../../inventory/events/index.js';
import { createKafka, createLogger, ensureTopics, type Kafka } from '../../../platform/index.js';
import { generateMasterData, naturalRate, publishToKafka } from '../../../inventory/generator/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { TEST_KAFKA_BROKERS, testTopicSuffix } from '../../support/isolation.js';
import { waitFor } from '../../support/wait.js';
import { contractProblems } from './contract.js';
import { runCli, startCli } from './run-cli.js';

interface Received {
  key: string;
  event: InventoryEvent;
}

/** A consumer of its own that collects everything on `topic` from the beginning. */
async function collector(kafka: Kafka, topic: string) {
  const received: Received[] = [];
  const consumer = kafka.consumer({ groupId: `test-generator-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({
        key: message.key!.toString(),
        event: JSON.parse(message.value!.toString()) as InventoryEvent,
      });
    },
  });
  return { received, close: () => consumer.disconnect() };
}

describe('generator → Kafka', function () {
  this.timeout(120_000);
  const kafka = createKafka(TEST_KAFKA_BROKERS, createLogger({ level: 'silent' }), 'test-generator');
  const topics: string[] = [];
  /** The topics `wareflow generate --to kafka` publishes to (and creates) under a suffix. */
  const feedTopics = (suffix: string) =>
    ['inventory-events', 'warehouse-orders', 'warehouse-shipments', 'warehouse-audit'].map(
      (t) => `${t}${suffix}`,
    );
  const closers: Array<() => Promise<void>> = [];
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()!();
  });
  after(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await db?.drop();
  });

  /**
   * Every message is a contract event keyed by its pair, and the topic holds `count` distinct
   * events: a producer's retry after a timeout may have written one of them twice (at-least-once,
   * which the sidecar's dedupe by event id absorbs), never another event.
   */
  function expectContract(
    received: Received[],
    master: ReturnType<typeof generateMasterData>,
    count: number,
  ): void {
    const skus = new Set(master.products.map((p) => p.sku));
    const warehouses = new Set(master.warehouses.map((w) => w.warehouse_id));
    const problems = received
      .map(({ key, event }) => [
        ...contractProblems(event, skus, warehouses),
        ...(key === `${event.sku}:${event.warehouseId}` ? [] : [`key ${key}`]),
      ])
      .filter((p) => p.length > 0);
    expect(problems.slice(0, 3)).to.deep.equal([]);
    expect(new Set(received.map((r) => r.event.eventId)).size).to.equal(count);
  }

  let published: { topic: string; received: Received[] } | undefined;

  it('publishes the requested number of contract events, keyed sku:warehouseId, in order per key', async () => {
    const topic = `inventory-events${testTopicSuffix()}`;
    topics.push(topic);
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    const master = generateMasterData({ seed: 5 });
    const started = Date.now();
    const summary = await publishToKafka(kafka, topic, {
      seed: 5,
      master,
      rate: 2_000,
      count: 300,
      maxBatch: 50,
    });
    expect(summary).to.include({ events: 300, stopped: 'count' });

    const { received, close } = await collector(kafka, topic);
    closers.push(close);
    await waitFor('300 events back from Kafka', () => received.length >= 300);
    expectContract(received, master, 300);
    for (const { event } of received) {
      expect(Date.parse(event.timestamp as string)).to.be.within(started - 1_000, Date.now() + 1_000);
    }
    const lastTime = new Map<string, number>();
    for (const { key, event } of received) {
      const t = Date.parse(event.timestamp as string);
      expect(t, key).to.be.at.least(lastTime.get(key) ?? 0);
      lastTime.set(key, t);
    }
    published = { topic, received };
  });

  it('writes events that kcat, an independent client, reads back the same (skipped without kcat)', async function () {
    const kcat = await promisify(execFile)('kcat', ['-V']).catch(() => undefined);
    if (!kcat || !published) this.skip();
    const { stdout } = await promisify(execFile)(
      'kcat',
      [
        '-b',
        TEST_KAFKA_BROKERS[0]!,
        '-t',
        published!.topic,
        '-C',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%k\t%s\n',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const read = stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [key, value] = line.split('\t');
        return { key: key!, event: JSON.parse(value!) as InventoryEvent };
      });
    const byId = (list: Received[]) =>
      [...list].sort((a, b) => a.event.eventId.localeCompare(b.event.eventId));
    expect(byId(read)).to.deep.equal(byId(published!.received));
  });

  it('`wareflow generate --to kafka --count N` writes master data and opening stock, creates the topic and publishes N events', async () => {
    const suffix = testTopicSuffix();
    topics.push(...feedTopics(suffix));
    const env = {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    };
    const run = await runCli(
      ['generate', '--to', 'kafka', '--count', '40', '--rate', '400', '--seed', '9', '--json'],
      env,
    );
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).to.have.length(1);
    const summary = JSON.parse(lines[0]!);
    expect(summary).to.include({
      target: 'kafka',
      topic: `inventory-events${suffix}`,
      rows: 40,
      stopped: 'count',
      opened_pairs: 150,
    });
    expect(summary.seconds).to.be.a('number');
    expect(summary.rows_per_s).to.be.a('number');

    const { received, close } = await collector(kafka, `inventory-events${suffix}`);
    closers.push(close);
    await waitFor('40 events back from Kafka', () => received.length >= 40);
    const master = generateMasterData({ seed: 9 });
    expectContract(received, master, 40);

    // 400 events/s is thousands of times this catalogue's trade: a time-lapse, stamped in
    // simulated time at the natural rate and ending when it was sent, so an hour of event time
    // holds an hour of trade.
    const natural = naturalRate(master);
    expect(summary).to.include({ event_time: 'simulated' });
    expect(summary.time_lapse_factor).to.be.closeTo(400 / natural, 1e-6 * (400 / natural));
    const times = received.map((r) => Date.parse(r.event.timestamp as string)).sort((a, b) => a - b);
    const spanS = (times.at(-1)! - times[0]!) / 1000;
    expect(spanS).to.be.closeTo(39 / natural, 1);
    expect(times.at(-1)!).to.be.within(Date.now() - 120_000, Date.now());
    const { rows } = await db.knex.raw(`
      SELECT (SELECT count(*) FROM inventory.products)::int AS products,
             (SELECT count(*) FROM inventory.inventory_levels WHERE quantity_on_hand > 0)::int AS stocked,
             (SELECT count(*) FROM inventory.inventory_transactions WHERE reference_id = 'STOCKTAKE-OPENING')::int AS openings`);
    expect(rows[0]).to.deep.equal({ products: 50, stocked: 150, openings: 150 });
  });

  it('sends new event ids when the same command runs again, so a restarted feed is never a duplicate', async () => {
    const suffix = testTopicSuffix();
    topics.push(...feedTopics(suffix));
    const env = {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    };
    const args = ['generate', '--to', 'kafka', '--count', '30', '--rate', '400', '--seed', '9', '--json'];
    for (let i = 0; i < 2; i++) {
      const run = await runCli(args, env);
      expect(run.code, run.stderr).to.equal(0);
    }
    const { received, close } = await collector(kafka, `inventory-events${suffix}`);
    closers.push(close);
    await waitFor('60 events back from Kafka', () => received.length >= 60);
    expect(new Set(received.map((m) => m.event.eventId)).size).to.equal(60);
  });

  it('stops on SIGTERM after flushing, so every event it reports is on the topic', async () => {
    const suffix = testTopicSuffix();
    const topic = `inventory-events${suffix}`;
    topics.push(...feedTopics(suffix));
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    const { received, close } = await collector(kafka, topic);
    closers.push(close);
    const env = {
      DATABASE_URL: db.url,
      KAFKA_TOPIC_SUFFIX: suffix,
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    };
    const run = startCli(
      ['generate', '--to', 'kafka', '--rate', '50', '--duration', '600', '--seed', '9', '--json'],
      env,
    );
    await waitFor('the first events of a running publisher', () => received.length >= 10, {
      timeoutMs: 60_000,
    });
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code, result.stderr).to.equal(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).to.include({ stopped: 'signal', opened_pairs: 0 });
    await waitFor(`all ${summary.rows} reported events on the topic`, () => received.length >= summary.rows);
    expect(received).to.have.length(summary.rows);
  });
});
