import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { ServiceUnavailableError } from '../../platform/index.js';
import type { TopicRecord } from './broker.js';

/** How long reading a whole topic may take before it is given up. @defaultValue 30000 */
const READ_TIMEOUT_MS = 30_000;

/**
 * Reads every record of `topic` up to each partition's end when called. kafkajs reads only in a
 * consumer group: this one is new each time, never commits, and is deleted afterwards, so the
 * read leaves no offsets behind and moves no other group.
 */
export async function readWholeTopic(kafka: Kafka, topic: string): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `wareflow-topic-reader-${randomUUID()}`;
  try {
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic))
        .filter((o) => BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, BigInt(o.high)]),
    );
    const records: TopicRecord[] = [];
    if (ends.size === 0) return records;
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const pending = new Set(ends.keys());
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new ServiceUnavailableError('kafka', `reading ${topic} took over ${READ_TIMEOUT_MS} ms`)),
          READ_TIMEOUT_MS,
        );
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition);
              if (end === undefined) return;
              for (const m of batch.messages) {
                if (BigInt(m.offset) >= end) break;
                const headers: Record<string, string | Buffer> = {};
                for (const [k, v] of Object.entries(m.headers ?? {})) {
                  if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : v;
                }
                records.push({
                  partition: batch.partition,
                  offset: m.offset,
                  key: m.key,
                  value: m.value,
                  timestamp: m.timestamp,
                  headers,
                });
              }
              const last = batch.messages.at(-1);
              if (last && BigInt(last.offset) + 1n >= end) pending.delete(batch.partition);
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
