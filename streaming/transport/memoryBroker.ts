import type {
  BatchControl,
  BatchHandler,
  Broker,
  GroupConsumer,
  GroupConsumerOptions,
  InboundBatch,
  InboundMessage,
  Publisher,
} from './broker.js';
import { RebalanceError } from './errors.js';

/** A record as the in-memory broker keeps it. */
export interface MemoryRecord extends InboundMessage {
  headers: Record<string, string | Buffer>;
}

export interface MemoryBrokerOptions {
  /** Most messages in one batch handed to a consumer's handler. @defaultValue 1000 */
  maxBatchMessages?: number;
}

/** The Broker port in memory, with what a spec needs to look inside and to stir things up. */
export interface MemoryBroker extends Broker {
  /** The records of one partition of a topic, in offset order. */
  records(topic: string, partition: number): readonly MemoryRecord[];
  /** The group's committed next offset of a partition (what its handler marked done). */
  committed(groupId: string, topic: string, partition: number): string | undefined;
  /** Commits an offset for a group by hand, as an admin tool would. */
  commitOffset(groupId: string, topic: string, partition: number, offset: string): void;
  /**
   * Starts a new group generation for every running consumer of `groupId`: the batches in hand
   * turn stale, their next heartbeat throws `RebalanceError`, and the partitions are assigned
   * again (to the same member: a group of one) from the committed offsets.
   */
  rebalance(groupId: string): void;
  /**
   * Holds every consumer of `groupId`: no batch is handed over, so what is published waits in the
   * topic as behind a slow consumer, until the returned function is called.
   */
  hold(groupId: string): () => void;
}

/**
 * The Broker port without Kafka, for specs of the pipeline: topics with partitions, a keyed
 * partitioner, a consumer group of one member that hands batches of one partition at a time to
 * the handler, committed offsets and seeks. Like the kafkajs adapter, a consumer continues
 * after a handled batch (its offsets are resolved when it is fetched), commits only what the
 * handler marked done, fetches again from a batch's start when the handler throws, and drops a
 * batch made stale by a rebalance or a seek. No prefetching, no byte limits, no retries.
 */
export function memoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  const topics = new Map<string, MemoryRecord[][]>();
  const offsets = new Map<string, string>();
  const consumers = new Set<MemoryConsumer>();
  /** Wakes consumers waiting for records. */
  let wake: () => void = () => undefined;
  let woken = new Promise<void>((r) => (wake = r));
  const notify = () => {
    const w = wake;
    woken = new Promise<void>((r) => (wake = r));
    w();
  };
  const offsetKey = (groupId: string, topic: string, partition: number) =>
    `${groupId}\u0000${topic}\u0000${partition}`;
  const partitionsOf = (topic: string): MemoryRecord[][] => {
    const p = topics.get(topic);
    if (!p) throw new Error(`memory broker: topic ${topic} does not exist`);
    return p;
  };
  let roundRobin = 0;
  const held = new Set<string>();

  const world: World = {
    partitionsOf,
    maxBatchMessages: options.maxBatchMessages ?? 1_000,
    committed: (g, t, p) => offsets.get(offsetKey(g, t, p)),
    commit: (g, t, p, o) => void offsets.set(offsetKey(g, t, p), o),
    waitForRecords: (signal) => Promise.race([woken, signal]),
    isHeld: (groupId) => held.has(groupId),
    consumers,
  };

  return {
    consumer: (o) => new MemoryConsumer(world, o),
    async publisher(): Promise<Publisher> {
      let closed = false;
      return {
        async send(topic, messages) {
          if (closed) throw new Error('memory broker: the publisher is closed');
          const partitions = partitionsOf(topic);
          for (const m of messages) {
            const key = m.key === undefined || m.key === null ? null : Buffer.from(m.key);
            const p = key === null ? roundRobin++ % partitions.length : hash(key) % partitions.length;
            const log = partitions[p]!;
            log.push({
              offset: String(log.length),
              key,
              value: m.value === null ? null : Buffer.from(m.value),
              timestamp: String(Date.now()),
              headers: { ...m.headers },
            });
          }
          if (messages.length > 0) notify();
        },
        async close() {
          closed = true;
        },
      };
    },
    async ensureTopics(list) {
      for (const { topic, numPartitions } of list) {
        if (!topics.has(topic))
          topics.set(
            topic,
            Array.from({ length: numPartitions ?? 1 }, () => []),
          );
      }
    },
    ping: async () => true,
    async endOffsets(topic) {
      return partitionsOf(topic).map((log, partition) => ({ partition, low: '0', high: String(log.length) }));
    },
    async readTopic(topic) {
      return partitionsOf(topic).flatMap((log, partition) => log.map((r) => ({ ...r, partition })));
    },
    records: (topic, partition) => partitionsOf(topic)[partition] ?? [],
    committed: world.committed,
    commitOffset: world.commit,
    rebalance(groupId) {
      for (const c of consumers) if (c.groupId === groupId) c.rejoin();
    },
    hold(groupId) {
      held.add(groupId);
      return () => {
        held.delete(groupId);
        notify();
      };
    },
  };
}

interface World {
  partitionsOf(topic: string): MemoryRecord[][];
  maxBatchMessages: number;
  committed(groupId: string, topic: string, partition: number): string | undefined;
  commit(groupId: string, topic: string, partition: number, offset: string): void;
  waitForRecords(signal: Promise<void>): Promise<void>;
  isHeld(groupId: string): boolean;
  consumers: Set<MemoryConsumer>;
}

/** The one member of its group: one loop per partition, each handling one batch at a time. */
class MemoryConsumer implements GroupConsumer {
  readonly groupId: string;
  private readonly assignmentListeners: Array<(topic: string, partitions: number[]) => void> = [];
  private running = false;
  private generation = 0;
  private positions: number[] = [];
  private seeks: number[] = [];
  private loops: Array<Promise<void>> = [];
  private stopped!: () => void;
  private readonly stopSignal = new Promise<void>((r) => (this.stopped = r));
  private handler: BatchHandler | undefined;

  constructor(
    private readonly world: World,
    private readonly options: GroupConsumerOptions,
  ) {
    this.groupId = options.groupId;
  }

  async run(handler: BatchHandler): Promise<void> {
    this.handler = handler;
    this.world.partitionsOf(this.options.topic); // the topic must exist, as with allowAutoTopicCreation off
    this.running = true;
    this.world.consumers.add(this);
    this.rejoin();
  }

  /** A new generation: positions from the committed offsets, the listeners told, loops started. */
  rejoin(): void {
    if (!this.running) return;
    this.generation++;
    const { topic } = this.options;
    const partitions = this.world.partitionsOf(topic);
    this.positions = partitions.map((log, p) => {
      const committed = this.world.committed(this.groupId, topic, p);
      if (committed !== undefined) return Number(committed);
      return (this.options.fromBeginning ?? true) ? 0 : log.length;
    });
    this.seeks = partitions.map(() => 0);
    const assigned = partitions.map((_, p) => p);
    for (const l of this.assignmentListeners) l(topic, assigned);
    const generation = this.generation;
    this.loops.push(...assigned.map((p) => this.loop(p, generation)));
  }

  private async loop(partition: number, generation: number): Promise<void> {
    const { topic } = this.options;
    while (this.running && this.generation === generation) {
      const log = this.world.partitionsOf(topic)[partition]!;
      const from = this.positions[partition]!;
      if (from >= log.length || this.world.isHeld(this.groupId)) {
        await this.world.waitForRecords(this.stopSignal);
        continue;
      }
      const messages = log.slice(from, from + this.world.maxBatchMessages);
      const batch: InboundBatch = { topic, partition, messages, highWatermark: String(log.length) };
      const seeks = this.seeks[partition]!;
      const isActive = () =>
        this.running && this.generation === generation && this.seeks[partition] === seeks;
      // Resolved when fetched, as the kafkajs adapter does: the next batch follows this one.
      this.positions[partition] = from + messages.length;
      const control: BatchControl = {
        heartbeat: async () => {
          if (this.running && this.generation !== generation) {
            throw new RebalanceError(`partition ${partition} of ${topic} was assigned again`);
          }
        },
        isActive,
        markDone: (next) => {
          if (isActive()) this.world.commit(this.groupId, topic, partition, next);
        },
        seek: (offset) => {
          if (!isActive()) return;
          this.seeks[partition]!++;
          this.positions[partition] = Number(offset);
        },
        pause: () => () => undefined,
      };
      try {
        await this.handler!(batch, control);
      } catch {
        // Cut short: fetch again from the batch's start; the handler skips what it already holds.
        if (isActive()) {
          this.seeks[partition]!++;
          this.positions[partition] = from;
        }
      }
    }
  }

  onAssignment(listener: (topic: string, partitions: number[]) => void): void {
    this.assignmentListeners.push(listener);
  }

  onCrash(): void {
    // Nothing here crashes on its own.
  }

  isConnected(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopped();
    this.world.consumers.delete(this);
    await Promise.all(this.loops);
  }
}

/** FNV-1a of the key: the same key always goes to the same partition. */
function hash(key: Buffer): number {
  let h = 0x811c9dc5;
  for (const byte of key) h = Math.imul(h ^ byte, 0x01000193);
  return h >>> 0;
}
