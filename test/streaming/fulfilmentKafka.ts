import type { Consumer } from 'kafkajs';
import { topicNames, type TopicNames } from '../../platform/index.js';
import { startStreaming, type StreamingSidecar } from '../../streaming/index.js';
import { EVENT_TABLES, FULFILMENT_STREAMS, type FulfilmentStream } from '../../inventory/fulfilment/index.js';
import { uniqueSuffix } from '../support/isolation.js';
import type { CorpusMessage } from './fulfilmentCorpus.js';
import { openStreamingFixture, produce, seedMasterData } from './support.js';
import type { StreamingFixture, TestMaster } from './support.js';

/** What the Kafka specs of the order, shipment and audit topics share. */

/** A message read back from a DLQ topic. */
export interface DeadRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** The messages read back from the DLQ topics so far. */
export interface DeadLetters {
  records: DeadRecord[];
  stop(): Promise<void>;
}

/** Reads the three DLQ topics from their beginning for as long as a spec runs. */
async function collectDeadLetters(f: StreamingFixture, topics: TopicNames): Promise<DeadLetters> {
  const records: DeadRecord[] = [];
  const consumer: Consumer = f.kafka.consumer({
    groupId: `wftest-dlq-${uniqueSuffix()}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: [topics.ordersDlq, topics.shipmentsDlq, topics.auditDlq],
    fromBeginning: true,
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      records.push({ topic, key: message.key?.toString() ?? null, value: message.value, headers });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

/** The source topic and DLQ topic of each stream. */
export const topicsOf = (topics: TopicNames, stream: FulfilmentStream) =>
  ({
    orders: { topic: topics.orders, dlq: topics.ordersDlq },
    shipments: { topic: topics.shipments, dlq: topics.shipmentsDlq },
    audit: { topic: topics.audit, dlq: topics.auditDlq },
  })[stream];

/** Publishes each stream's messages to its topic, in the order given. */
export async function send(f: FulfilmentKafka, messages: readonly CorpusMessage[]) {
  for (const stream of FULFILMENT_STREAMS) {
    const mine = messages.filter((m) => m.stream === stream).map((m) => ({ key: m.key, value: m.value }));
    if (mine.length > 0) await produce(f.producer, topicsOf(f.topics, stream).topic, mine);
  }
}

export const hex = (v: Buffer | null) => (v === null ? '<null>' : v.toString('hex'));

/** How many rows of a stream's event table have each of these eventIds. */
export async function storedCounts(f: StreamingFixture, stream: FulfilmentStream, ids: string[]) {
  const rows: Array<{ event_id: string; n: number }> = await f.db
    .knex(EVENT_TABLES[stream])
    .whereIn('event_id', ids)
    .groupBy('event_id')
    .select('event_id', f.db.knex.raw('count(*)::int AS n'));
  return rows;
}

/** A `StreamingFixture` with master data, a sidecar on real Kafka and a reader of the three DLQs. */
export interface FulfilmentKafka extends StreamingFixture {
  /** Four SKUs and two warehouses. */
  m: TestMaster;
  topics: TopicNames;
  sidecar: StreamingSidecar;
  dead: DeadLetters;
  /** Messages of the three streams the sidecar has settled: applied, duplicates and dead-lettered. */
  settled(): number;
}

/**
 * A `FulfilmentKafka` for the enclosing suite: opened before its first spec, and after its last
 * the DLQ reader, the sidecar and the fixture are closed in that order.
 */
export function fulfilmentKafka(): FulfilmentKafka {
  const k = {
    settled: () =>
      FULFILMENT_STREAMS.reduce((n, s) => {
        const t = k.sidecar.fulfilmentTotals[s];
        return n + t.applied + t.duplicates + t.dlq;
      }, 0),
  } as FulfilmentKafka;
  before(async function () {
    const f = await openStreamingFixture();
    Object.assign(k, f);
    k.m = await seedMasterData(f.db.knex, { skus: 4, warehouses: 2 });
    k.topics = topicNames(f.config);
    k.sidecar = await startStreaming(f.config, { port: false });
    k.dead = await collectDeadLetters(f, k.topics);
  });
  after(async function () {
    await k.dead?.stop();
    await k.sidecar?.close();
    await k.close?.();
  });
  return k;
}
