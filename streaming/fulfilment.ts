import { FULFILMENT_STREAMS, type FulfilmentStream } from '../inventory/fulfilment/index.js';
import { createKnex, type Config, type Logger, type TopicNames } from '../platform/index.js';
import {
  ChunkRunner,
  FulfilmentWindowRefresher,
  fulfilmentHandler,
  type AlertMailer,
  type FulfilmentTopic,
  type IngestTotals,
  type MasterData,
} from './pipeline/index.js';
import { SIDECAR_SESSION_SQL } from './store/index.js';
import type { Broker, GroupConsumer, Publisher } from './transport/index.js';
import type { StreamingMetrics } from './metrics.js';

export type FulfilmentTotals = Record<FulfilmentStream, IngestTotals>;

/** Partitions of one fulfilment topic a member applies at once (their traffic is a tenth of the inventory stream's). */
const FULFILMENT_CONCURRENCY = 2;
/** Connections of the fulfilment consumers together: three for their chunks, one for the window refresh. */
const FULFILMENT_POOL = 4;
/**
 * How long the broker may hold a fetch of these topics open: their traffic is light, and an idle
 * consumer then asks five times less often than the inventory one (100 ms).
 */
const FULFILMENT_MAX_WAIT_MS = 500;

/**
 * The topic, DLQ and consumer group of each stream. One group per topic: kafkajs's assigners give
 * every member of a group partitions of every topic any member subscribed to, so members that
 * subscribe to different topics cannot share a group. `KAFKA_GROUP_ID` stays the inventory
 * stream's group; the others append the stream's name (`wareflow-streaming.orders`).
 */
export function fulfilmentTopics(
  config: Pick<
    Config,
    'KAFKA_GROUP_ID' | 'MAX_EVENT_AGE_DAYS' | 'AUDIT_ADJUSTMENT_VALUE_LIMIT' | 'AUDIT_NIGHT_HOURS'
  >,
  topics: TopicNames,
): FulfilmentTopic[] {
  const names: Record<FulfilmentStream, { topic: string; dlqTopic: string }> = {
    orders: { topic: topics.orders, dlqTopic: topics.ordersDlq },
    shipments: { topic: topics.shipments, dlqTopic: topics.shipmentsDlq },
    audit: { topic: topics.audit, dlqTopic: topics.auditDlq },
  };
  const groupOf = (stream: FulfilmentStream) => `${config.KAFKA_GROUP_ID}.${stream}`;
  const watermarkOf = (['orders', 'shipments'] as const).map((stream) => ({
    groupId: groupOf(stream),
    topic: names[stream].topic,
  }));
  return FULFILMENT_STREAMS.map((stream) => ({
    stream,
    groupId: groupOf(stream),
    watermarkOf,
    ...names[stream],
    alertsTopic: topics.alerts,
    maxEventAgeDays: config.MAX_EVENT_AGE_DAYS,
    auditPolicy: {
      adjustmentValueLimit: config.AUDIT_ADJUSTMENT_VALUE_LIMIT,
      nightHours: config.AUDIT_NIGHT_HOURS,
    },
  }));
}

/**
 * Joins one consumer group per order, shipment and audit topic and applies their batches through
 * the same chunk runner as the inventory stream (offset fence, retries with backoff), with
 * `fulfilmentHandler`, and keeps the fulfilment windows the chunks mark up to date
 * (`FulfilmentWindowRefresher`). Resolves once all three consume; `close` finishes the batches in
 * hand, leaves the groups and lets a refresh under way end.
 */
export async function startFulfilmentConsumers(
  broker: Broker,
  config: Config,
  topics: TopicNames,
  deps: {
    publisher: Publisher;
    master: MasterData;
    metrics: StreamingMetrics;
    logger: Logger;
    mailer?: AlertMailer | undefined;
    sessionTimeoutMs?: number | undefined;
    chunkSize?: number | undefined;
    retryDelayMs?: [number, number] | undefined;
    onFatal?: ((error: Error) => void) | undefined;
  },
): Promise<{ totals: FulfilmentTotals; isConnected(): boolean; close(): Promise<void> }> {
  const streams = fulfilmentTopics(config, topics);
  // After the inventory stream's topics (the sidecar creates those first, so they exist as soon
  // as before): the topics and their dead-letter topics.
  await broker.ensureTopics(
    streams.flatMap((t) => [
      { topic: t.topic, numPartitions: 6 },
      { topic: t.dlqTopic, numPartitions: 1 },
    ]),
  );
  const db = createKnex(config.DATABASE_URL, {
    poolMax: FULFILMENT_POOL,
    applicationName: 'wareflow-streaming-fulfilment',
    onConnect: SIDECAR_SESSION_SQL,
  });
  const started: Array<{ runner: ChunkRunner<{ nextOffset: bigint | null }>; consumer: GroupConsumer }> = [];
  const totals = {} as FulfilmentTotals;
  // The fulfilment windows the chunks mark, recomputed in the background (marks left by an
  // earlier run, a crash included, go first).
  const windows = new FulfilmentWindowRefresher(db, deps.logger.child({ stream: 'fulfilment-windows' }));
  const close = async () => {
    for (const { runner } of started) runner.stop();
    await Promise.all(started.map(({ consumer }) => consumer.stop().catch(() => undefined)));
    await windows.close();
    await db.destroy();
  };
  try {
    for (const t of streams) {
      const logger = deps.logger.child({ stream: t.stream });
      const runner = new ChunkRunner(
        { logger, metrics: deps.metrics },
        {
          ...(deps.chunkSize === undefined ? {} : { chunkSize: deps.chunkSize }),
          ...(deps.retryDelayMs === undefined ? {} : { retryDelayMs: deps.retryDelayMs }),
        },
        fulfilmentHandler(
          {
            db,
            publisher: deps.publisher,
            master: deps.master,
            metrics: deps.metrics,
            logger,
            onWindowsMarked: () => windows.kick(),
            mailer: deps.mailer,
            endOffsets: (topic) => broker.endOffsets(topic),
          },
          t,
        ),
      );
      totals[t.stream] = runner.totals;
      const consumer = broker.consumer({
        groupId: t.groupId,
        topic: t.topic,
        concurrency: FULFILMENT_CONCURRENCY,
        maxWaitTimeMs: FULFILMENT_MAX_WAIT_MS,
        ...(deps.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: deps.sessionTimeoutMs }),
      });
      consumer.onAssignment((_topic, partitions) => runner.onAssignment(partitions));
      consumer.onCrash((err) => {
        logger.fatal({ err, topic: t.topic }, 'kafka consumer stopped after repeated failures');
        deps.onFatal?.(err);
      });
      started.push({ runner, consumer });
    }
    await Promise.all(
      started.map(({ runner, consumer }) => consumer.run((b, c) => runner.handleBatch(b, c))),
    );
    return {
      totals,
      isConnected: () => started.every(({ consumer }) => consumer.isConnected()),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
