/** The streaming benchmark's ceiling: a kafkajs consumer that does no work. */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/** Drains `count` messages of the topic(s) with a do-nothing eachBatch consumer; returns first→last seconds. */
export async function bareDrain(
  kafka: Kafka,
  topic: string | readonly string[],
  count: number,
): Promise<number> {
  const consumer = kafka.consumer({
    groupId: `bench-bare-${randomBytes(4).toString('hex')}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 24 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: typeof topic === 'string' ? [topic] : [...topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        seen += batch.messages.length;
        if (seen >= count) {
          last = performance.now();
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return (last - first) / 1000;
}
