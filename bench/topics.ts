import type { Kafka } from 'kafkajs';
import { ensureTopics, type TopicNames } from '../platform/index.js';

/**
 * The topics a benchmark's sidecar uses: six partitions of events (so up to six instances share
 * the work), one DLQ partition, three of each output, and the order, shipment and audit streams
 * as the sidecar makes them (six partitions each, one per DLQ). All exist before a sidecar
 * starts: one that creates a topic itself may ask for its metadata before the broker serves it.
 */
export async function ensureBenchTopics(kafka: Kafka, topics: TopicNames): Promise<void> {
  await ensureTopics(kafka, [
    { topic: topics.events, numPartitions: 6 },
    { topic: topics.dlq, numPartitions: 1 },
    { topic: topics.alerts, numPartitions: 3 },
    { topic: topics.reorders, numPartitions: 3 },
    { topic: topics.analytics, numPartitions: 3 },
    ...[topics.orders, topics.shipments, topics.audit].map((topic) => ({ topic, numPartitions: 6 })),
    ...[topics.ordersDlq, topics.shipmentsDlq, topics.auditDlq].map((topic) => ({ topic, numPartitions: 1 })),
  ]);
}
