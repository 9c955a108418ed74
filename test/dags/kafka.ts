import type { Consumer } from 'kafkajs';
import { createKafka, type Logger } from '../../platform/index.js';
import { TEST_KAFKA_BROKERS, uniqueSuffix } from '../support/isolation.js';

export interface CollectedMessage {
  key: string;
  value: Record<string, unknown>;
}

/** Reads a topic from its beginning with a group of its own and keeps every message. */
export async function collectTopic(
  topic: string,
  logger: Logger,
): Promise<{ messages: CollectedMessage[]; close(): Promise<void> }> {
  const kafka = createKafka(TEST_KAFKA_BROKERS, logger, `test-${uniqueSuffix()}`);
  const consumer: Consumer = kafka.consumer({ groupId: `test-${uniqueSuffix()}` });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({ key: message.key?.toString() ?? '', value: JSON.parse(message.value!.toString()) });
    },
  });
  return { messages, close: () => consumer.disconnect() };
}
