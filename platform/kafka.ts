import {
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type ITopicConfig,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from './logger.js';

export { Kafka };

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Answers a broker gives while a new topic is being set up or a partition's leader moves. kafkajs
 * logs each at ERROR and then retries the request itself; one that outlasts its retries still
 * reaches the caller as an error. A fresh sidecar met one on every first start.
 */
const RETRIED_ANSWERS: ReadonlySet<string> = new Set([
  'This server is not the leader for that topic-partition',
  'This server does not host this topic-partition',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
]);

/**
 * kafkajs's warning, at every start of an idempotent producer, that retries are limited (ours are
 * 8, so a broker that stays away fails the send instead of hanging it). The guarantee it means is
 * lost only for sends made on the same producer after one gave up; the live feed stops there.
 */
const LIMITED_RETRIES = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * The level a kafkajs log entry is written at: its own, but info for an answer kafkajs retries
 * and for the idempotent producer's retry-limit warning.
 */
export function kafkajsLogLevel(level: number, entry: object): 'error' | 'warn' | 'info' | 'debug' {
  const { error, message } = entry as { error?: unknown; message?: unknown };
  if (level === logLevel.ERROR && typeof error === 'string' && RETRIED_ANSWERS.has(error)) return 'info';
  if (level === logLevel.WARN && message === LIMITED_RETRIES) return 'info';
  return LEVELS[level] ?? 'info';
}

/** A kafkajs client whose logs go to our structured logger. */
export function createKafka(brokers: string[], logger: Logger, clientId = 'wareflow'): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 5_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[kafkajsLogLevel(level, entry)](rest, message);
      },
  });
}

/**
 * A connected producer for traffic that must reach the topic once per send: idempotent, so a
 * retried request (a timeout, a partition without a leader for a moment) carries the same
 * sequence numbers and the broker does not append again what it already holds. Without it
 * kafkajs resends a broker's whole request when one partition of it fails, writing the rest twice.
 * One request in flight, as idempotence needs; topics are never created by a send.
 */
export async function createIdempotentProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

/** How long `ensureTopics` waits for new topics to have a leader on every partition. */
const LEADER_WAIT_MS = 30_000;

/**
 * Creates the topics that do not exist yet; existing ones are left as they are. Resolves once
 * every topic asked for has a leader on each partition, so a producer or consumer may use it at
 * once. kafkajs's own `waitForLeaders` gives up on the "does not host this topic-partition"
 * answer a broker gives while a new topic is still being set up (kafkajs#815), and does not wait
 * at all for a topic another process created a moment before: both are waited out here.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: Array<{ topic: string; numPartitions?: number; configEntries?: ITopicConfig['configEntries'] }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((t) => ({ replicationFactor: 1, numPartitions: 6, ...t })),
      });
    }
    await waitForLeaders(admin, [...new Set(topics.map((t) => t.topic))]);
  } finally {
    await admin.disconnect();
  }
}

async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  // Metadata for no topic named is metadata for every topic: nothing to wait for.
  if (topics.length === 0) return;
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    let lastError: unknown;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const ready = found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready && found.length === topics.length) return;
    } catch (err) {
      // UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE while the topic is being set up.
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Kafka topics ${topics.join(', ')} have no leader on every partition after ${LEADER_WAIT_MS} ms` +
          (lastError ? `: ${(lastError as Error).message}` : ''),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
