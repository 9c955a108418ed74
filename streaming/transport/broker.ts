/**
 * The Kafka surface the sidecar needs, as our own small interface, so the client library
 * (kafkajs today) can be replaced without touching the pipeline.
 */

export interface InboundMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Broker/producer timestamp, epoch ms as text. */
  timestamp: string;
}

export interface InboundBatch {
  topic: string;
  partition: number;
  messages: InboundMessage[];
  /** The partition's next offset to be written (lag = highWatermark − next offset to apply). */
  highWatermark: string;
}

/** What a batch handler may do while it holds a partition. */
export interface BatchControl {
  /**
   * Keeps the group membership alive during long work; throws `RebalanceError` (`errors.ts`) when
   * a rebalance took the partition.
   */
  heartbeat(): Promise<void>;
  /** False once a rebalance or a seek of the partition has made the batch stale: stop and return. */
  isActive(): boolean;
  /**
   * Marks everything before `nextOffset` as done, once PostgreSQL has committed it: committed to
   * Kafka soon after (a hint for lag tools and restarts; PostgreSQL is the truth), never ahead of it.
   */
  markDone(nextOffset: string): void;
  /** Continues the partition from `offset` (the batch in hand is abandoned). */
  seek(offset: string): void;
  /** Stops fetching this partition until the returned function is called. */
  pause(): () => void;
}

export type BatchHandler = (batch: InboundBatch, control: BatchControl) => Promise<void>;

export interface GroupConsumer {
  /**
   * Joins the group and calls `handler` with batches of one partition at a time; one partition is
   * never handled by two calls at once, and its batches come in offset order. A batch may be
   * fetched while the one before it is handled; after a rebalance or a seek the batches fetched
   * before it are dropped. Resolves once consuming has started.
   */
  run(handler: BatchHandler): Promise<void>;
  /** Called after every (re)join with the partitions this member now owns. */
  onAssignment(listener: (topic: string, partitions: number[]) => void): void;
  /** Called when the consumer stops on its own (a fatal error after retries). */
  onCrash(listener: (error: Error) => void): void;
  /** Whether the consumer is joined and fetching. */
  isConnected(): boolean;
  /** Finishes the batch in hand, commits, leaves the group. */
  stop(): Promise<void>;
}

export interface OutboundMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
}

export interface Publisher {
  /** Resolves once every message is acknowledged by the broker. */
  send(topic: string, messages: OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface GroupConsumerOptions {
  groupId: string;
  topic: string;
  /** Partitions handled at once by one member. @defaultValue 6 */
  concurrency?: number;
  /** Where a group with no committed offset starts. @defaultValue true (the beginning) */
  fromBeginning?: boolean;
  /** Largest fetch per partition, bytes. @defaultValue 4194304 */
  maxBytesPerPartition?: number;
  /**
   * How long the group waits for a silent member before giving its partitions to others (a
   * crashed instance's partitions are idle this long). @defaultValue 30000
   */
  sessionTimeoutMs?: number;
  /**
   * The least a fetch waits for, over all its partitions, unless `maxWaitTimeMs` passes first. A
   * backlog fills it at once; a steady trickle is gathered for `maxWaitTimeMs` instead of being
   * handed over (and committed to PostgreSQL) a few messages at a time. @defaultValue 1048576
   */
  minBytes?: number;
  /**
   * How long the broker may hold a fetch that has less than `minBytes`: what a message may wait
   * at the most before it is handed over, when traffic is light. @defaultValue 200
   */
  maxWaitTimeMs?: number;
}

/** A record read back from a topic: where it is, and its headers (what the DLQ tools show). */
export interface TopicRecord extends InboundMessage {
  partition: number;
  headers: Record<string, string | Buffer>;
}

/** Where a partition's log begins and ends (`Broker.endOffsets`). */
export interface PartitionEnds {
  partition: number;
  /** The first offset the log still holds. */
  low: string;
  /** The offset the next message will get: every message published before the call is below it. */
  high: string;
}

export interface Broker {
  consumer(options: GroupConsumerOptions): GroupConsumer;
  /**
   * Each partition's first and next offset, as the broker holds them when it answers: a message
   * whose publication was acknowledged before the call lies below `high`.
   */
  endOffsets(topic: string): Promise<PartitionEnds[]>;
  /**
   * Every record of `topic`, from each partition's first retained offset to its end when called,
   * in offset order per partition; read outside any consumer group's committed offsets.
   */
  readTopic(topic: string): Promise<TopicRecord[]>;
  publisher(): Promise<Publisher>;
  ensureTopics(topics: Array<{ topic: string; numPartitions?: number }>): Promise<void>;
  /** Whether the cluster answers a metadata request. */
  ping(): Promise<boolean>;
}
