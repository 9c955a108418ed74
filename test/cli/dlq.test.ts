import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ensureTopics, topicNames } from '../../platform/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { TEST_KAFKA_BROKERS, testTopicSuffix } from '../support/isolation.js';
import { connectProducer, testKafka } from '../streaming/support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `wareflow …args` to its end, with stdout and stderr. */
function wareflow(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/wareflow.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

describe('wareflow dlq', function () {
  // Each case is a process of its own: on a loaded 2-core machine ten of them take minutes.
  this.timeout(240_000);

  it('refuses bad arguments with one line and exit code 2', async function () {
    const cases: Array<[string[], RegExp]> = [
      [['dlq', 'list', '--reason', 'bored'], /--reason must be one of empty_message, .*unknown_sku/],
      [['dlq', 'list', '--since', 'yesterday'], /--since must be a date/],
      [['dlq', 'replay', '--since', '2026-02-30'], /--since must be a date/],
      [['dlq', 'replay', '--reason'], /argument missing/],
      [['dlq', 'show'], /missing required argument/],
      [['dlq', 'show', 'the-first-one'], /PARTITION:OFFSET, OFFSET or an event id/],
      [['dlq', 'replay', '--force'], /unknown option '--force'/],
      [
        ['dlq', 'list', '--topic', 'returns'],
        /--topic must be one of inventory, orders, shipments, audit \(got returns\)/,
      ],
      [['dlq', 'replay', '--topic', 'warehouse-orders'], /--topic must be one of/],
      [['dlq', 'show', '0:1', '--topic'], /argument missing/],
    ];
    const results = await Promise.all(cases.map(([args]) => wareflow(args)));
    results.forEach((r, i) => {
      const [args, says] = cases[i]!;
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.err.trimEnd().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.err, args.join(' ')).to.match(says);
    });
  });

  describe('on Kafka', function () {
    let db: TestDatabase;
    let env: Record<string, string>;
    const suffix = testTopicSuffix();
    const topics = topicNames({ KAFKA_TOPIC_SUFFIX: suffix });
    const eventId = randomUUID();
    const orderEventId = randomUUID();

    before(async function () {
      db = await createTestDatabase();
      env = { DATABASE_URL: db.url, KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), KAFKA_TOPIC_SUFFIX: suffix };
      const kafka = testKafka();
      await ensureTopics(kafka, [
        { topic: topics.events, numPartitions: 2 },
        { topic: topics.dlq, numPartitions: 1 },
        { topic: topics.orders, numPartitions: 2 },
        { topic: topics.ordersDlq, numPartitions: 1 },
      ]);
      const producer = await connectProducer(kafka);
      await producer.send({
        topic: topics.dlq,
        messages: [
          { key: null, value: 'not json', headers: { 'x-dlq-reason': 'invalid_json' } },
          {
            key: 'LATE-1:WH-1',
            value: JSON.stringify({ eventId, eventType: 'RESTOCK', sku: 'LATE-1' }),
            headers: { 'x-dlq-reason': 'unknown_sku', 'x-source-topic': topics.events },
          },
        ],
      });
      await producer.send({
        topic: topics.ordersDlq,
        messages: [
          {
            key: 'ORDER-1',
            value: JSON.stringify({ eventId: orderEventId, eventType: 'ORDER_PACKED', orderId: 'ORDER-1' }),
            headers: { 'x-dlq-reason': 'unknown_warehouse', 'x-source-topic': topics.orders },
          },
        ],
      });
      await producer.disconnect();
    });

    const messagesOn = async (topic: string) => {
      const admin = testKafka().admin();
      await admin.connect();
      try {
        return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
      } finally {
        await admin.disconnect();
      }
    };

    after(async () => db?.drop());

    it('lists, shows and replays what is on the DLQ topic, and a second replay sends nothing', async function () {
      const listed = await wareflow(['dlq', 'list', '--reason', 'unknown_sku', '--json'], env);
      expect(listed.code, listed.err).to.equal(0);
      const rows = JSON.parse(listed.out) as Array<{ id: string; event_id: string; key: string }>;
      expect(rows.map((r) => [r.id, r.event_id, r.key])).to.deep.equal([['0:1', eventId, 'LATE-1:WH-1']]);

      const shown = await wareflow(['dlq', 'show', eventId, '--json'], env);
      expect(JSON.parse(shown.out)).to.include({ id: '0:1', reason: 'unknown_sku' });
      const missing = await wareflow(['dlq', 'show', '0:99'], env);
      expect([missing.code, missing.err]).to.deep.equal([2, 'wareflow: no dead-lettered message 0:99\n']);

      const first = await wareflow(['dlq', 'replay', '--reason', 'unknown_sku'], env);
      expect(first.out).to.equal('replayed 1 dead-lettered message; 0 already replayed\n');
      const second = await wareflow(['dlq', 'replay', '--reason', 'unknown_sku'], env);
      expect(second.out).to.equal('replayed 0 dead-lettered messages; 1 already replayed\n');

      expect(await messagesOn(topics.events)).to.equal(1);
    });

    it('reads and replays the order DLQ with --topic orders, back to warehouse-orders', async function () {
      const listed = await wareflow(['dlq', 'list', '--topic', 'orders', '--json'], env);
      expect(listed.code, listed.err).to.equal(0);
      const rows = JSON.parse(listed.out) as Array<{ id: string; event_id: string; reason: string }>;
      expect(rows.map((r) => [r.id, r.event_id, r.reason])).to.deep.equal([
        ['0:0', orderEventId, 'unknown_warehouse'],
      ]);
      const shown = await wareflow(['dlq', 'show', '--topic', 'ORDERS', '0:0', '--json'], env);
      expect(JSON.parse(shown.out)).to.include({ event_id: orderEventId, key: 'ORDER-1' });
      // Without --topic, the inventory DLQ: the order is not there.
      const inventory = await wareflow(['dlq', 'show', orderEventId], env);
      expect([inventory.code, inventory.err]).to.deep.equal([
        2,
        `wareflow: no dead-lettered message ${orderEventId}\n`,
      ]);

      const replayed = await wareflow(['dlq', 'replay', '--topic', 'orders', '--json'], env);
      expect(JSON.parse(replayed.out)).to.deep.equal({
        dry_run: false,
        replayed: ['0:0'],
        already_replayed: [],
      });
      expect(await messagesOn(topics.orders)).to.equal(1);
      const again = await wareflow(['dlq', 'replay', '--topic', 'orders'], env);
      expect(again.out).to.equal('replayed 0 dead-lettered messages; 1 already replayed\n');
      expect(await messagesOn(topics.orders)).to.equal(1);
      const audit = await db.knex('orchestrator.audit_log').where({ action: 'dlq.replay' }).orderBy('id');
      expect(audit.map((a: { detail: { topic?: string } }) => a.detail.topic)).to.include(topics.ordersDlq);
    });
  });
});
