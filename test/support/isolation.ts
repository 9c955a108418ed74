import { randomBytes } from 'node:crypto';

/** A short random token for names that must not collide between test runs. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A BullMQ/Redis key prefix of its own. */
export function testQueuePrefix(): string {
  return `wftest-${uniqueSuffix()}`;
}

/** A Kafka topic suffix of its own (appended to every topic name, see KAFKA_TOPIC_SUFFIX). */
export function testTopicSuffix(): string {
  return `.test-${uniqueSuffix()}`;
}

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_KAFKA_BROKERS = (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
