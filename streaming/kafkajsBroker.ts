import { CompressionTypes, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { createKafka, ensureTopics, type Logger } from '../platform/index.js';
import type { Broker, GroupConsumer, GroupConsumerOptions, OutboundMessage, Publisher } from './broker.js';

/** The Broker interface on kafkajs 2.2. */
export function kafkajsBroker(brokers: string[], logger: Logger, clientId = 'wareflow-streaming'): Broker {
  const kafka: Kafka = createKafka(brokers, logger, clientId);
  return {
    consumer: (options) => kafkajsConsumer(kafka, options, logger),
    async publisher() {
      const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
      await producer.connect();
      return kafkajsPublisher(producer);
    },
    ensureTopics: (topics) => ensureTopics(kafka, topics),
    async ping() {
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        await admin.connect();
        await admin.describeCluster();
        return true;
      } catch {
        return false;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}

/**
 * Most bytes of messages per produce request. A request's messages for one partition form one
 * record batch, and the broker refuses a batch over its `message.max.bytes` (1 MB by default).
 */
const MAX_REQUEST_BYTES = 512 * 1024;
/** A record's framing besides key, value and headers, rounded up. */
const RECORD_OVERHEAD_BYTES = 32;

function kafkajsPublisher(producer: Producer): Publisher {
  return {
    /**
     * Sends in requests of at most MAX_REQUEST_BYTES, one after another so a partition keeps the
     * order. A chunk that closes many windows at once (a backlog of sparse traffic) would
     * otherwise be refused by the broker every time it is retried.
     */
    async send(topic, messages) {
      for (const slice of bySize(messages, MAX_REQUEST_BYTES)) {
        await producer.send({ topic, messages: slice, acks: -1, compression: CompressionTypes.None });
      }
    },
    async close() {
      await producer.disconnect();
    },
  };
}

function kafkajsConsumer(kafka: Kafka, options: GroupConsumerOptions, logger: Logger): GroupConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxBytes: 6 * (options.maxBytesPerPartition ?? 4 * 1024 * 1024),
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 100,
    allowAutoTopicCreation: false,
  });
  const assignmentListeners: Array<(topic: string, partitions: number[]) => void> = [];
  const crashListeners: Array<(error: Error) => void> = [];
  let connected = false;

  // kafkajs has no rebalance listener; GROUP_JOIN carries the member's new assignment.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    connected = true;
    const partitions = payload.memberAssignment[options.topic] ?? [];
    for (const l of assignmentListeners) l(options.topic, partitions);
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    connected = false;
    if (!payload.restart) for (const l of crashListeners) l(payload.error);
    else logger.warn({ err: payload.error }, 'kafka consumer crashed; kafkajs restarts it');
  });
  consumer.on(consumer.events.STOP, () => {
    connected = false;
  });

  return {
    async run(handler) {
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        // We resolve offsets ourselves, only for what PostgreSQL has committed.
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency ?? 6,
        eachBatch: async ({ batch, heartbeat, resolveOffset, isRunning, isStale, pause }) => {
          await handler(
            {
              topic: batch.topic,
              partition: batch.partition,
              highWatermark: batch.highWatermark,
              // kafkajs's own message objects already have the InboundMessage fields: no copy each.
              messages: batch.messages,
            },
            {
              heartbeat,
              isActive: () => isRunning() && !isStale(),
              // kafkajs resolves the offset of the last processed message and commits offset + 1.
              markDone: (next) => resolveOffset(String(BigInt(next) - 1n)),
              seek: (offset) => consumer.seek({ topic: batch.topic, partition: batch.partition, offset }),
              pause,
            },
          );
        },
      });
    },
    onAssignment(listener) {
      assignmentListeners.push(listener);
    },
    onCrash(listener) {
      crashListeners.push(listener);
    },
    isConnected: () => connected,
    async stop() {
      await consumer.disconnect();
    },
  };
}

/** Consecutive slices of `messages`, each of at most `maxBytes` unless one message alone is larger. */
function* bySize(messages: readonly OutboundMessage[], maxBytes: number): Generator<OutboundMessage[]> {
  let slice: OutboundMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    let size = RECORD_OVERHEAD_BYTES + byteLength(m.value) + byteLength(m.key);
    for (const [k, v] of Object.entries(m.headers ?? {})) size += byteLength(k) + byteLength(v);
    if (slice.length > 0 && bytes + size > maxBytes) {
      yield slice;
      slice = [];
      bytes = 0;
    }
    slice.push(m);
    bytes += size;
  }
  if (slice.length > 0) yield slice;
}

const byteLength = (v: string | Buffer | null | undefined): number =>
  v === null || v === undefined ? 0 : Buffer.byteLength(v);
