import type { Kafka } from 'kafkajs';
import { ensureTopics, type TopicNames } from '../platform/index.js';

/**
 * The topics a benchmark's sidecar uses: six partitions of events (so up to six instances share
 * the work), one DLQ partition, three of each output.
 */
export async function ensureBenchTopics(kafka: Kafka, topics: TopicNames): Promise<void> {
  await ensureTopics(kafka, [
    { topic: topics.events, numPartitions: 6 },
    { topic: topics.dlq, numPartitions: 1 },
    { topic: topics.alerts, numPartitions: 3 },
    { topic: topics.reorders, numPartitions: 3 },
    { topic: topics.analytics, numPartitions: 3 },
  ]);
}
