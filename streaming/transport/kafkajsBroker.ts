import { Partitioners, type Consumer, type Kafka } from 'kafkajs';
import {
  ServiceUnavailableError,
  createKafka,
  ensureTopics,
  withTimeout,
  type Logger,
} from '../../platform/index.js';
import type { BatchHandler, Broker, GroupConsumer, GroupConsumerOptions, InboundBatch } from './broker.js';
import { RebalanceError } from './errors.js';
import { PartitionLanes } from './partitionLanes.js';
import { kafkajsPublisher, rememberingPartitioner } from './kafkajsPublisher.js';
import { readWholeTopic } from './kafkajsReader.js';

/** The Broker interface on kafkajs 2.2. */
export function kafkajsBroker(brokers: string[], logger: Logger, clientId = 'wareflow-streaming'): Broker {
  const kafka: Kafka = createKafka(brokers, logger, clientId);
  return {
    consumer: (options) => kafkajsConsumer(kafka, options, logger),
    async publisher() {
      const producer = kafka.producer({
        allowAutoTopicCreation: false,
        idempotent: false,
        // Named (kafkajs warns at every start that its default changed in 2.0 otherwise).
        createPartitioner: rememberingPartitioner(Partitioners.DefaultPartitioner),
      });
      await producer.connect();
      return kafkajsPublisher(producer);
    },
    ensureTopics: (topics) => ensureTopics(kafka, topics),
    async endOffsets(topic) {
      // Asked from inside a chunk's transaction: one try, bounded, so a slow broker costs the
      // caller an answer (it waits for the next chunk), not the chunk's time.
      const admin = kafka.admin({ retry: { retries: 0 } });
      try {
        const read = (async () => {
          await admin.connect();
          return admin.fetchTopicOffsets(topic);
        })();
        const offsets = await withTimeout(
          read,
          END_OFFSETS_TIMEOUT_MS,
          () =>
            new ServiceUnavailableError(
              'kafka',
              `reading the ends of ${topic} took over ${END_OFFSETS_TIMEOUT_MS} ms`,
            ),
        );
        return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high }));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    readTopic: (topic) => readWholeTopic(kafka, topic),
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
 * The least a fetch waits for, over all its partitions, unless `maxWaitTimeMs` passes first (see
 * `GroupConsumerOptions.minBytes`): about 4,500 events of the benchmark's traffic.
 */
const FETCH_MIN_BYTES = 1024 * 1024;
/** How long `endOffsets` waits for the broker's answer. */
const END_OFFSETS_TIMEOUT_MS = 2_000;
/** How long the broker may hold a fetch that has less than FETCH_MIN_BYTES. */
const FETCH_MAX_WAIT_MS = 200;
/** How often offsets that PostgreSQL has committed are committed to Kafka too. */
const KAFKA_COMMIT_INTERVAL_MS = 1_000;

interface LaneItem {
  batch: InboundBatch;
  /** Bytes of its messages' keys and values. */
  bytes: number;
  heartbeat: () => Promise<void>;
  /** The group generation and the partition's seek count when the batch was fetched. */
  generation: number;
  seeks: number;
}

/**
 * A kafkajs consumer whose fetch loop runs ahead of the handler. kafkajs fetches every partition
 * of a broker in one request and fetches again only once every batch of that request is handled,
 * so each partition would wait for the slowest one and then for the next fetch. Here eachBatch
 * only queues the batch in its partition's lane (`PartitionLanes`) and returns; the lane handles
 * it while kafkajs already fetches the next one.
 *
 * kafkajs fetches from the offsets resolved in it, so a queued batch is resolved at once. Kafka's
 * committed offsets, though, are committed by hand (autoCommit off), only for what the handler
 * marked done after its PostgreSQL commit: after a crash the group resumes at or before what
 * PostgreSQL holds, never after it. A queued batch outlives neither a rebalance nor a seek of its
 * partition: after a rejoin kafkajs fetches again from the committed offsets, after a seek from
 * the new offset.
 */
function kafkajsConsumer(kafka: Kafka, options: GroupConsumerOptions, logger: Logger): GroupConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    rebalanceTimeout: 60_000,
    heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxBytes: 6 * (options.maxBytesPerPartition ?? 4 * 1024 * 1024),
    minBytes: options.minBytes ?? FETCH_MIN_BYTES,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? FETCH_MAX_WAIT_MS,
    allowAutoTopicCreation: false,
  });
  const { topic } = options;
  const assignmentListeners: Array<(topic: string, partitions: number[]) => void> = [];
  const crashListeners: Array<(error: Error) => void> = [];
  let connected = false;
  let running = false;
  let stopping = false;
  let generation = 0;
  const seeks = new Map<number, number>();
  /** Why a partition is paused: its lane is full, and how many handlers hold it. */
  const pauses = new Map<number, { full: boolean; held: number }>();
  /**
   * Next offsets done (committed to PostgreSQL) by partition, and what of them Kafka holds. A
   * mark stays until Kafka took it: a commit refused during a rebalance is tried again with the
   * next one, or a partition that goes quiet would keep a stale offset in Kafka for good.
   */
  const done = new Map<number, string>();
  const inKafka = new Map<number, string>();
  let commitTimer: NodeJS.Timeout | undefined;
  let committing: Promise<void> = Promise.resolve();

  const pauseState = (p: number) => {
    let s = pauses.get(p);
    if (!s) pauses.set(p, (s = { full: false, held: 0 }));
    return s;
  };
  const setPaused = (p: number, change: (s: { full: boolean; held: number }) => void) => {
    const s = pauseState(p);
    const was = s.full || s.held > 0;
    change(s);
    const is = s.full || s.held > 0;
    if (is && !was) consumer.pause([{ topic, partitions: [p] }]);
    else if (!is && was) consumer.resume([{ topic, partitions: [p] }]);
  };
  const isCurrent = (item: LaneItem) =>
    running && item.generation === generation && item.seeks === (seeks.get(item.batch.partition) ?? 0);
  const seek = (partition: number, offset: string) => {
    seeks.set(partition, (seeks.get(partition) ?? 0) + 1);
    lanes.clear(partition);
    consumer.seek({ topic, partition, offset });
  };

  const maxBytesPerPartition = options.maxBytesPerPartition ?? 4 * 1024 * 1024;
  const lanes: PartitionLanes<LaneItem> = new PartitionLanes<LaneItem>({
    // What a partition may have fetched and waiting besides the batch in hand: a fetch's worth.
    depth: maxBytesPerPartition,
    size: (item) => item.bytes,
    // Batches fetched one after another in one generation, with no seek in between, are one
    // stretch of the partition: handled as one batch, as if kafkajs had fetched them together.
    canJoin: (first, next) =>
      next.generation === first.generation &&
      next.seeks === first.seeks &&
      BigInt(next.batch.messages[0]!.offset) > BigInt(first.batch.messages.at(-1)!.offset),
    join: (items) => {
      const last = items.at(-1)!;
      return {
        ...last,
        batch: { ...last.batch, messages: items.flatMap((i) => i.batch.messages) },
        bytes: items.reduce((n, i) => n + i.bytes, 0),
      };
    },
    concurrency: options.concurrency ?? 6,
    onFull: (p) => setPaused(p, (s) => (s.full = true)),
    onRoom: (p) => setPaused(p, (s) => (s.full = false)),
    handle: async (partition, item) => {
      if (!isCurrent(item)) return;
      const heartbeat = item.heartbeat;
      await handler!(item.batch, {
        heartbeat: () => heartbeat().catch(translateKafkajsError),
        isActive: () => isCurrent(item),
        markDone: (next) => {
          if (isCurrent(item)) done.set(partition, next);
        },
        seek: (offset) => {
          if (isCurrent(item)) seek(partition, offset);
        },
        pause: () => {
          let held = true;
          setPaused(partition, (s) => s.held++);
          return () => {
            if (held) setPaused(partition, (s) => s.held--);
            held = false;
          };
        },
      });
    },
    onError: (partition, item, err) => {
      // A rebalance (or the consumer stopping) cut the batch short. Whatever kafkajs fetched for
      // the partition after it is dropped, so fetch again from the batch's start: the handler
      // skips what PostgreSQL already holds.
      logger.debug({ err, partition }, 'batch handler stopped early; fetching the partition again');
      if (isCurrent(item)) seek(partition, item.batch.messages[0]!.offset);
    },
  });
  let handler: BatchHandler | undefined;

  const commitDone = async () => {
    const partitions = [...done]
      .filter(([partition, offset]) => inKafka.get(partition) !== offset)
      .map(([partition, offset]) => ({ topic, partition, offset }));
    if (partitions.length === 0) return;
    try {
      await consumer.commitOffsets(partitions);
      for (const p of partitions) inKafka.set(p.partition, p.offset);
    } catch (err) {
      // Only a hint (PostgreSQL holds the offsets that count): the next commit brings it up to date.
      logger.debug({ err }, 'committing offsets to Kafka failed');
    }
  };
  const scheduleCommit = () => {
    commitTimer = setTimeout(() => {
      committing = commitDone().finally(() => {
        if (running && !stopping) scheduleCommit();
      });
    }, KAFKA_COMMIT_INTERVAL_MS);
    commitTimer.unref();
  };

  // kafkajs has no rebalance listener; GROUP_JOIN carries the member's new assignment.
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    connected = true;
    generation++;
    lanes.clear();
    const partitions = payload.memberAssignment[topic] ?? [];
    // Marks of partitions this member keeps are still PostgreSQL's offsets: committed in the new
    // generation. Those of partitions it lost belong to their new owner now.
    for (const p of [...done.keys()]) if (!partitions.includes(p)) done.delete(p);
    inKafka.clear();
    for (const l of assignmentListeners) l(topic, partitions);
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
    async run(batchHandler) {
      handler = batchHandler;
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });
      running = true;
      scheduleCommit();
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency ?? 6,
        eachBatch: async ({ batch, heartbeat, resolveOffset, isStale }) => {
          // Fetched before a seek of its partition: kafkajs fetches from the new offset next.
          if (stopping || isStale()) return;
          const item: LaneItem = {
            // kafkajs's own message objects already have the InboundMessage fields: no copy each.
            batch: {
              topic: batch.topic,
              partition: batch.partition,
              highWatermark: batch.highWatermark,
              messages: batch.messages,
            },
            bytes: bytesOf(batch.messages),
            heartbeat,
            generation,
            seeks: seeks.get(batch.partition) ?? 0,
          };
          // Not taken (the lane is full): left unresolved, so kafkajs fetches it again.
          if (lanes.offer(batch.partition, item)) resolveOffset(batch.lastOffset());
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
      // Queued batches are dropped and nothing more is queued; the batch in hand finishes its
      // current chunk (its handler was told to stop). What PostgreSQL committed is committed to
      // Kafka before the member leaves the group.
      const wasRunning = running;
      stopping = true;
      lanes.clear();
      clearTimeout(commitTimer);
      await lanes.idle();
      await committing;
      if (wasRunning) await commitDone();
      running = false;
      await consumer.disconnect();
    },
  };
}

/** The bytes of messages' keys and values (a function of its own: not a loop in eachBatch). */
function bytesOf(messages: ReadonlyArray<{ key: Buffer | null; value: Buffer | null }>): number {
  let bytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0);
  }
  return bytes;
}

/**
 * The kafkajs errors that mean the group took the partition away while a batch of it was in
 * hand, as the broker-neutral `RebalanceError`; any other error is rethrown as it is.
 */
export function translateKafkajsError(err: unknown): never {
  if (isKafkajsRebalance(err)) {
    throw new RebalanceError(`the group took the partition away: ${(err as Error).message}`, err);
  }
  throw err;
}

function isKafkajsRebalance(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const type = (err as { type?: string }).type;
  return (
    err.name === 'KafkaJSNotImplemented' ||
    type === 'REBALANCE_IN_PROGRESS' ||
    type === 'NOT_COORDINATOR_FOR_GROUP' ||
    type === 'ILLEGAL_GENERATION' ||
    type === 'UNKNOWN_MEMBER_ID'
  );
}
