import { createKafka, ensureTopics, topicNames, type Config, type Logger } from '../../platform/index.js';
import type { TopicReport } from '../types.js';

/** SPEC §3 topics with their partition counts; keyed topics are spread over 6 partitions. */
export function specTopics(config: Pick<Config, 'KAFKA_TOPIC_SUFFIX'>): TopicReport[] {
  const names = topicNames(config);
  return [
    { topic: names.events, partitions: 6 },
    { topic: names.dlq, partitions: 6 },
    { topic: names.alerts, partitions: 6 },
    { topic: names.reorders, partitions: 6 },
    { topic: names.analytics, partitions: 6 },
    { topic: names.orders, partitions: 6 },
    { topic: names.ordersDlq, partitions: 6 },
    { topic: names.shipments, partitions: 6 },
    { topic: names.shipmentsDlq, partitions: 6 },
    { topic: names.audit, partitions: 6 },
    { topic: names.auditDlq, partitions: 6 },
  ];
}

/** Creates the SPEC topics that are missing (existing ones are left as they are). */
export async function ensureSpecTopics(
  config: Config,
  brokers: string[],
  logger: Logger,
): Promise<TopicReport[]> {
  const topics = specTopics(config);
  await ensureTopics(
    createKafka(brokers, logger, 'wareflow-services'),
    topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
  );
  return topics;
}
