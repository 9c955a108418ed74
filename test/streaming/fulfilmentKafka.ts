import type { Consumer } from 'kafkajs';
import type { TopicNames } from '../../platform/index.js';
import { EVENT_TABLES, FULFILMENT_STREAMS, type FulfilmentStream } from '../../inventory/fulfilment/index.js';
import { uniqueSuffix } from '../support/isolation.js';
import type { CorpusMessage } from './fulfilmentCorpus.js';
import { produce, type StreamingFixture } from './support.js';

/** What the Kafka specs of the order, shipment and audit topics share. */

/** A message read back from a DLQ topic. */
export interface DeadRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads the three DLQ topics from their beginning for as long as a spec runs. */
export async function collectDeadLetters(f: StreamingFixture, topics: TopicNames) {
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
export async function send(f: StreamingFixture, topics: TopicNames, messages: readonly CorpusMessage[]) {
  for (const stream of FULFILMENT_STREAMS) {
    const mine = messages.filter((m) => m.stream === stream).map((m) => ({ key: m.key, value: m.value }));
    if (mine.length > 0) await produce(f.producer, topicsOf(topics, stream).topic, mine);
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
