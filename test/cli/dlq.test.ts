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
  this.timeout(120_000);

  it('refuses bad arguments with one line and exit code 2', async function () {
    const cases: Array<[string[], RegExp]> = [
      [['dlq', 'list', '--reason', 'bored'], /--reason must be one of empty_message, .*unknown_sku/],
      [['dlq', 'list', '--since', 'yesterday'], /--since must be a date/],
      [['dlq', 'replay', '--since', '2026-02-30'], /--since must be a date/],
      [['dlq', 'replay', '--reason'], /argument missing/],
      [['dlq', 'show'], /missing required argument/],
      [['dlq', 'show', 'the-first-one'], /PARTITION:OFFSET, OFFSET or an event id/],
      [['dlq', 'replay', '--force'], /unknown option '--force'/],
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

    before(async function () {
      db = await createTestDatabase();
      env = { DATABASE_URL: db.url, KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','), KAFKA_TOPIC_SUFFIX: suffix };
      const kafka = testKafka();
      await ensureTopics(kafka, [
        { topic: topics.events, numPartitions: 2 },
        { topic: topics.dlq, numPartitions: 1 },
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
      await producer.disconnect();
    });

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

      const kafka = testKafka();
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topics.events);
        expect(offsets.reduce((n, o) => n + Number(o.high), 0)).to.equal(1);
      } finally {
        await admin.disconnect();
      }
    });
  });
});
