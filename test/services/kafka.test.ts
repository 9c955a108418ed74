import { execFile, spawn } from 'node:child_process';
import { expect } from 'chai';
import type { Consumer, Producer } from 'kafkajs';
import { createKafka, createLogger, ensureTopics, type Kafka } from '../../platform/index.js';
import { TEST_KAFKA_BROKERS, TEST_REDIS_URL, uniqueSuffix } from '../support/isolation.js';
import { waitFor } from '../support/wait.js';
import { servicesJson } from './cli.js';

interface Received {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

const KEYS = Array.from({ length: 9 }, (_, i) => `SKU-${i}:WAREHOUSE-${i % 3}`);
const PER_KEY = 10;

/** Messages in the order they are produced: each key's values carry an increasing sequence. */
function messages(tag: string) {
  const out: Array<{ key: string; value: string }> = [];
  for (let seq = 0; seq < PER_KEY; seq++) {
    for (const key of KEYS) out.push({ key, value: JSON.stringify({ tag, key, seq }) });
  }
  return out;
}

/** Every message exactly once; per partition offsets rise; per key sequence rises on one partition. */
function expectRoundTrip(sent: Array<{ key: string; value: string }>, received: Received[]): void {
  expect(received).to.have.length(sent.length);
  expect(received.map((m) => `${m.key}|${m.value}`).sort()).to.deep.equal(
    sent.map((m) => `${m.key}|${m.value}`).sort(),
  );
  const byPartition = new Map<number, Received[]>();
  for (const m of received) byPartition.set(m.partition, [...(byPartition.get(m.partition) ?? []), m]);
  for (const list of byPartition.values()) {
    const offsets = list.map((m) => m.offset);
    expect(offsets).to.deep.equal([...offsets].sort((a, b) => a - b));
    expect(new Set(offsets).size).to.equal(offsets.length);
  }
  for (const key of KEYS) {
    const ofKey = received.filter((m) => m.key === key);
    expect(new Set(ofKey.map((m) => m.partition)).size, `partitions of ${key}`).to.equal(1);
    // Within one partition the broker's order is the offset order.
    const seqs = ofKey
      .sort((a, b) => a.offset - b.offset)
      .map((m) => (JSON.parse(m.value) as { seq: number }).seq);
    expect(seqs, `order of ${key}`).to.deep.equal(Array.from({ length: PER_KEY }, (_, i) => i));
  }
}

/** Produces with kafkajs and waits for the broker to acknowledge every message. */
async function produce(producer: Producer, topic: string, sent: Array<{ key: string; value: string }>) {
  // One send per key round keeps each key's messages in order on its partition.
  for (let i = 0; i < sent.length; i += KEYS.length) {
    await producer.send({ topic, acks: -1, messages: sent.slice(i, i + KEYS.length) });
  }
}

/** Consumes a topic from the beginning with a fresh group until `count` messages arrived. */
async function consumeAll(
  kafka: Kafka,
  topic: string,
  count: number,
): Promise<{ consumer: Consumer; received: Received[] }> {
  const consumer = kafka.consumer({ groupId: `wftest-roundtrip-${uniqueSuffix()}` });
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      received.push({
        partition,
        offset: Number(message.offset),
        key: String(message.key),
        value: String(message.value),
      });
    },
  });
  await waitFor(`${count} messages on ${topic}`, () => received.length >= count, { timeoutMs: 30_000 });
  return { consumer, received };
}

function hasKcat(): Promise<boolean> {
  return new Promise((resolve) => execFile('kcat', ['-V'], (err) => resolve(!err)));
}

describe('Kafka through the started broker', function () {
  const logger = createLogger({ level: 'silent' });
  const kafka = createKafka(TEST_KAFKA_BROKERS, logger, 'wareflow-test-roundtrip');
  const topics: string[] = [];
  const consumers: Consumer[] = [];
  let producer: Producer;

  async function newTopic(): Promise<string> {
    const topic = `wftest-roundtrip-${uniqueSuffix()}`;
    topics.push(topic);
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    return topic;
  }

  before(async () => {
    // Idempotent: a retried produce (a new topic's partition not ready yet, a timeout under load)
    // never writes a message twice, so the topic holds exactly what was sent.
    producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  after(async () => {
    for (const c of consumers) await c.disconnect();
    await producer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } finally {
      await admin.disconnect();
    }
  });

  it('delivers every keyed message once, in partition order, to a fresh consumer group', async () => {
    const topic = await newTopic();
    const sent = messages('kafkajs');
    await produce(producer, topic, sent);
    const { consumer, received } = await consumeAll(kafka, topic, sent.length);
    consumers.push(consumer);
    expectRoundTrip(sent, received);
  });

  it('lets kcat, an independent client, read what kafkajs wrote and write what kafkajs reads (skipped without kcat)', async function () {
    if (!(await hasKcat())) {
      process.stderr.write(
        '    kcat is not installed (apt-get install kcat): independent-client check skipped\n',
      );
      this.skip();
    }
    const broker = TEST_KAFKA_BROKERS[0]!;

    // kafkajs → kcat
    const first = await newTopic();
    const sent = messages('to-kcat');
    await produce(producer, first, sent);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'kcat',
        ['-b', broker, '-C', '-t', first, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\n'],
        { timeout: 30_000 },
        (err, out, errOut) => (err ? reject(new Error(`kcat failed: ${errOut}`)) : resolve(out)),
      ),
    );
    const viaKcat = stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [partition, offset, key, value] = line.split('\t');
        return { partition: Number(partition), offset: Number(offset), key: key!, value: value! };
      });
    expectRoundTrip(sent, viaKcat);

    // kcat → kafkajs
    const second = await newTopic();
    const fromKcat = messages('from-kcat');
    await new Promise<void>((resolve, reject) => {
      const child = spawn('kcat', ['-b', broker, '-P', '-t', second, '-K', '\t', '-X', 'acks=all'], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let errOut = '';
      child.stderr.on('data', (d: Buffer) => (errOut += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`kcat -P exited ${code}: ${errOut}`)),
      );
      child.stdin.end(fromKcat.map((m) => `${m.key}\t${m.value}\n`).join(''));
    });
    const { consumer, received } = await consumeAll(kafka, second, fromKcat.length);
    consumers.push(consumer);
    expectRoundTrip(fromKcat, received);
  });

  it('shows PostgreSQL, Redis and Kafka up in `wareflow services status --json`', async () => {
    const { code, result, byName } = await servicesJson('status', {
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
      REDIS_URL: TEST_REDIS_URL,
    });
    expect(code).to.equal(0);
    expect(result.ok).to.equal(true);
    expect(Object.keys(byName).sort()).to.deep.equal(['kafka', 'postgres', 'redis']);
    for (const service of result.services) {
      expect(service.state, service.service).to.equal('up');
      expect(service.ok, service.service).to.equal(true);
    }
    expect(byName.kafka!.where).to.equal(TEST_KAFKA_BROKERS[0]);
  });
});
