import {
  createKnex,
  createLogger,
  createRedis,
  topicNames,
  type Config,
  type Logger,
  createMailer,
  startHealthServer,
  runChecks,
  registerDependencyGauge,
  type HealthServer,
} from '../platform/index.js';
import { SIDECAR_SESSION_SQL } from './store/index.js';
import { AlertMailer, Ingestor, MasterData } from './pipeline/index.js';
import { startFulfilmentConsumers, type FulfilmentTotals } from './fulfilment.js';
import { kafkajsBroker, type Broker, type GroupConsumer, type Publisher } from './transport/index.js';

import { createStreamingMetrics, type StreamingMetrics } from './metrics.js';

export interface StreamingOptions {
  /** Partitions one instance processes at once. @defaultValue 6 */
  concurrency?: number;
  /** Least time between two alert e-mails. @defaultValue 60000 */
  emailIntervalMs?: number;
  /** How often the product/warehouse cache is reloaded. @defaultValue 60000 */
  masterDataRefreshMs?: number;
  /** Messages applied per PostgreSQL transaction, about (see `IngestOptions.chunkSize`). @defaultValue 5000 */
  chunkSize?: number;
  /** First and largest pause between retries of a failed batch, ms. @defaultValue [200, 30000] */
  retryDelayMs?: [number, number];
  /** Consumer-group session timeout (how long a crashed instance holds its partitions). @defaultValue 30000 */
  sessionTimeoutMs?: number;
  /** HTTP port of /health and /metrics; 0 picks a free one, false serves none. @defaultValue config.STREAMING_PORT */
  port?: number | false;
  /** Database connections of this instance. @defaultValue concurrency + 3 */
  poolMax?: number;
  /** Called when the consumer stops for good (kafkajs gave up after its retries). */
  onFatal?: (error: Error) => void;
  /** Client library for Kafka. @defaultValue kafkajs */
  broker?: Broker;
  logger?: Logger;
}

export interface StreamingSidecar {
  readonly metrics: StreamingMetrics;
  /** Port of the health server (undefined when none). */
  readonly port: number | undefined;
  /** Totals since start: applied, duplicates, dlq, batches, retries. */
  readonly totals: Ingestor['totals'];
  /** The same totals for the order, shipment and audit streams. */
  readonly fulfilmentTotals: FulfilmentTotals;
  health(): ReturnType<typeof runChecks>;
  /** The batches in hand by partition (offsets from, to), for a shutdown that abandons them. */
  inHand(): ReturnType<Ingestor['inHand']>;
  /** Finishes the batch in hand, commits it, and releases everything in reverse order. */
  close(): Promise<void>;
}

/**
 * Starts one sidecar instance: joins the consumer group on `inventory-events` and serves
 * /health and /metrics. Any number of instances may run against the same topic and database;
 * Kafka shares the partitions among them.
 */
export async function startStreaming(
  config: Config,
  options: StreamingOptions = {},
): Promise<StreamingSidecar> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'streaming' });
  const topics = topicNames(config);
  const concurrency = options.concurrency ?? 6;
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        logger.warn({ err }, 'error while closing');
      }
    }
  };

  try {
    const broker = options.broker ?? kafkajsBroker(config.KAFKA_BROKERS, logger);
    await broker.ensureTopics([
      { topic: topics.events, numPartitions: 6 },
      { topic: topics.dlq, numPartitions: 1 },
      { topic: topics.alerts, numPartitions: 3 },
      { topic: topics.reorders, numPartitions: 3 },
      { topic: topics.analytics, numPartitions: 3 },
    ]);
    const db = createKnex(config.DATABASE_URL, {
      poolMax: options.poolMax ?? concurrency + 3,
      applicationName: 'wareflow-streaming',
      onConnect: SIDECAR_SESSION_SQL,
    });
    closers.push(() => db.destroy());
    const redis = createRedis(config.REDIS_URL);
    closers.push(async () => {
      await redis.quit();
    });
    const master = new MasterData(db, logger, { refreshMs: options.masterDataRefreshMs });
    await master.start();
    closers.push(() => master.close());
    const metrics = createStreamingMetrics({ defaultMetrics: options.port !== false });

    let health: HealthServer | undefined;
    let consumer: GroupConsumer | undefined;
    let fulfilment: Awaited<ReturnType<typeof startFulfilmentConsumers>> | undefined;
    const checks = {
      postgres: async () => (await db.raw('SELECT 1'), true),
      redis: async () => (await redis.ping()) === 'PONG',
      kafka: async () =>
        (consumer?.isConnected() ?? false) && (fulfilment?.isConnected() ?? false) && (await broker.ping()),
    };
    registerDependencyGauge(metrics.registry, checks);
    const port = options.port ?? config.STREAMING_PORT;
    if (port !== false) {
      health = await startHealthServer(port, metrics.registry, checks, logger, {
        host: config.METRICS_HOST,
        metricsToken: config.METRICS_TOKEN,
      });
      closers.push(() => health!.close());
    }

    const publisher: Publisher = await broker.publisher();
    closers.push(() => publisher.close());
    const alertMailer = new AlertMailer(createMailer(config), logger, {
      minIntervalMs: options.emailIntervalMs,
    });
    closers.push(() => alertMailer.close());

    const ingestor = new Ingestor(
      { db, redis, publisher, master, mailer: alertMailer, metrics, logger },
      {
        groupId: config.KAFKA_GROUP_ID,
        topics,
        maxEventAgeDays: config.MAX_EVENT_AGE_DAYS,
        allowedLatenessMs: config.ALLOWED_LATENESS_MS,
        chunkSize: options.chunkSize,
        retryDelayMs: options.retryDelayMs,
      },
    );
    consumer = broker.consumer({
      groupId: config.KAFKA_GROUP_ID,
      topic: topics.events,
      concurrency,
      sessionTimeoutMs: options.sessionTimeoutMs,
    });
    consumer.onAssignment((_topic, partitions) => ingestor.onAssignment(partitions));
    consumer.onCrash((err) => {
      logger.fatal({ err }, 'kafka consumer stopped after repeated failures');
      options.onFatal?.(err);
    });
    const c = consumer;
    closers.push(async () => {
      // Let the batch in hand finish its current attempt, then leave the group (kafkajs waits
      // for the running eachBatch before disconnecting).
      ingestor.stop();
      await c.stop();
      await ingestor.close();
    });
    // The order, shipment and audit streams: one consumer group each, in this process, with a
    // small pool of their own so that they never hold a connection the inventory chunks need.
    const consuming = consumer.run((batch, control) => ingestor.handleBatch(batch, control));
    consuming.catch(() => undefined); // awaited below, once the other consumers are started
    fulfilment = await startFulfilmentConsumers(broker, config, topics, {
      publisher,
      master,
      metrics,
      logger,
      mailer: alertMailer,
      sessionTimeoutMs: options.sessionTimeoutMs,
      chunkSize: options.chunkSize,
      retryDelayMs: options.retryDelayMs,
      onFatal: options.onFatal,
    });
    closers.push(() => fulfilment!.close());
    await consuming;
    logger.info(
      { topic: topics.events, groupId: config.KAFKA_GROUP_ID, port: health?.port },
      'streaming sidecar started',
    );

    return {
      metrics,
      port: health?.port,
      totals: ingestor.totals,
      fulfilmentTotals: fulfilment.totals,
      health: () => runChecks(checks),
      inHand: () => ingestor.inHand(),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
