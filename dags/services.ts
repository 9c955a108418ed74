import { Partitioners, type Producer } from 'kafkajs';
import {
  createKafka,
  createRedis,
  ensureTopics,
  topicNames,
  type Config,
  type Logger,
  type Redis,
  PermanentTaskError,
  createMailer,
  type Mailer,
} from '../platform/index.js';

/**
 * What the inventory DAGs use beyond `ctx.db`: the configuration, Redis (metric cache), the
 * mailer (digests, reports, data-quality alerts) and a Kafka producer (reorder-events,
 * inventory-alerts). The composition root builds them once per worker with `createDagServices`.
 */
export interface DagServices {
  config: Config;
  redis: Redis;
  mailer: Mailer;
  producer: Producer;
}

declare module '../engine/index.js' {
  interface TaskServices {
    /** Set by `createDagServices`; the inventory DAGs fail with a clear message without it. */
    inventory?: DagServices;
  }
}

/** The services of the inventory DAGs, or a plain error when the root did not provide them. */
export function inventoryServices(services: { inventory?: DagServices }): DagServices {
  if (!services.inventory) {
    throw new PermanentTaskError(
      'the inventory DAGs need ctx.services.inventory: build it with createDagServices from dags/index.js',
    );
  }
  return services.inventory;
}

/**
 * Connects what the DAGs need and creates the Kafka topics they publish to. `close()` releases
 * them in reverse order.
 */
export async function createDagServices(
  config: Config,
  logger: Logger,
): Promise<DagServices & { close(): Promise<void> }> {
  const redis = createRedis(config.REDIS_URL);
  const mailer = createMailer(config);
  const kafka = createKafka(config.KAFKA_BROKERS, logger, 'wareflow-dags');
  const topics = topicNames(config);
  // Not an idempotent producer: every message carries a stable id (recommendationId) and the
  // outbox marks what was sent, so a retried send is de-duplicated downstream.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  try {
    await ensureTopics(kafka, [{ topic: topics.reorders }, { topic: topics.alerts }]);
    await producer.connect();
  } catch (err) {
    mailer.close();
    redis.disconnect();
    throw err;
  }
  return {
    config,
    redis,
    mailer,
    producer,
    async close() {
      await producer.disconnect();
      mailer.close();
      await redis.quit();
    },
  };
}
