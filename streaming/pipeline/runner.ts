import { setTimeout as sleep } from 'node:timers/promises';
import { coerceError, isRetriable, type Logger } from '../../platform/index.js';
import {
  isRebalance,
  type BatchControl,
  type InboundBatch,
  type InboundMessage,
} from '../transport/index.js';
import type { StreamingMetrics } from '../metrics.js';
import { applyChunk, type ChunkDeps } from './chunk.js';
import type { IngestDeps, IngestOptions, IngestTotals } from './ingestOptions.js';
import { MetricCache } from './metricCache.js';
import { loadPartitionState, type PartitionState } from './partition.js';

/**
 * What one topic does with its partitions: load a partition's state for a group generation (its
 * stored next offset at least), and apply one chunk of messages in a PostgreSQL transaction that
 * commits their rows with the partition's fenced next offset. The runner keeps the rest.
 */
export interface ChunkHandler<S extends { nextOffset: bigint | null }> {
  /** The topic whose partitions this handler applies (for logs). */
  readonly topic: string;
  load(partition: number, generation: number): Promise<S>;
  apply(
    state: S,
    batch: InboundBatch,
    messages: InboundMessage[],
    control: BatchControl,
    totals: IngestTotals,
  ): Promise<void>;
}

export interface ChunkRunnerOptions {
  /** Messages per PostgreSQL transaction, about (see `IngestOptions.chunkSize`). @defaultValue 5000 */
  chunkSize?: number;
  /** First and largest pause between retries of a failed batch. @defaultValue [200, 30000] */
  retryDelayMs?: [number, number];
}

/**
 * The chunk runner of one sidecar instance (kafkajs's `runner.js` is the model): it takes a
 * partition's batch from the transport, cuts it into chunks, keeps each chunk behind the offset
 * fence (PostgreSQL's stored offset is the truth), hands it to `applyChunk`, and on a failure
 * throws the partition's state away, pauses the partition and tries again with backoff.
 *
 * A batch is handed back to the transport (thrown) only when it is no longer this member's
 * (`RebalanceError`) or the sidecar stops; every other failure is waited out, because a stream
 * cannot skip a chunk. `isRetriable` decides how it is waited out: a retriable failure (a lost
 * connection, a conflict) is retried with backoff from 200 ms; a permanent one (a defect, or data
 * no retry can fix) is logged as an error and retried only at the longest delay, until someone
 * fixes its cause.
 */
export class ChunkRunner<S extends { nextOffset: bigint | null }> {
  private readonly partitions = new Map<number, S & { generation: number }>();
  private generation = 0;
  private stopping = false;
  /** Per partition, the offsets of the batch in hand (from its first to its last message). */
  private readonly inHandBatches = new Map<number, { from: string; to: string }>();
  /** Totals since start, for logs and tests. */
  readonly totals: IngestTotals = { applied: 0, duplicates: 0, dlq: 0, batches: 0, retries: 0 };

  constructor(
    private readonly deps: { logger: Logger; metrics: Pick<StreamingMetrics, 'retries'> },
    private readonly options: ChunkRunnerOptions,
    private readonly handler: ChunkHandler<S>,
  ) {}

  /** A new group generation: every partition is reloaded from PostgreSQL before its next batch. */
  onAssignment(partitions: number[]): void {
    this.generation++;
    for (const p of [...this.partitions.keys()]) if (!partitions.includes(p)) this.partitions.delete(p);
    this.deps.logger.info(
      { topic: this.handler.topic, partitions, generation: this.generation },
      'partitions assigned',
    );
  }

  /** The batches in hand by partition; none is committed until its chunk's transaction is. */
  inHand(): Record<number, { from: string; to: string }> {
    return Object.fromEntries(this.inHandBatches);
  }

  /** Stop retrying; batches in hand finish their current attempt. */
  stop(): void {
    this.stopping = true;
  }

  /** Once no batch is in hand: releases what the topic's chunks keep between batches. */
  async close(): Promise<void> {}

  async handleBatch(batch: InboundBatch, control: BatchControl): Promise<void> {
    if (batch.messages.length === 0) return;
    const log = this.deps.logger.child({ topic: batch.topic, partition: batch.partition });
    let resume: (() => void) | undefined;
    let attempt = 0;
    let pos = 0;
    // Equal chunks: a batch of 15,200 goes as three chunks of 5,067, not as three of 5,000 and a
    // fourth of 200 that pays a whole transaction's fixed cost for a few rows.
    const chunkCount = Math.max(1, Math.round(batch.messages.length / (this.options.chunkSize ?? 5_000)));
    const chunkSize = Math.ceil(batch.messages.length / chunkCount);
    this.inHandBatches.set(batch.partition, {
      from: batch.messages[0]!.offset,
      to: batch.messages.at(-1)!.offset,
    });
    try {
      while (pos < batch.messages.length) {
        if (!control.isActive() || this.stopping) return;
        try {
          const state = await this.partitionState(batch.partition);
          let messages = batch.messages.slice(pos, pos + chunkSize);
          // The offset fence: PostgreSQL's stored offset decides where the partition is.
          if (state.nextOffset !== null) {
            const next = state.nextOffset;
            if (BigInt(messages[0]!.offset) > next) {
              // Kafka's committed offset is ahead of PostgreSQL (the source of truth): go back.
              log.warn({ offset: messages[0]!.offset, stored: String(next) }, 'seeking to the stored offset');
              control.seek(String(next));
              return;
            }
            // Offsets ascend: only a chunk that starts below the stored offset has any to drop.
            if (BigInt(messages[0]!.offset) < next)
              messages = messages.filter((m) => BigInt(m.offset) >= next);
          }
          const chunkEnd = pos + chunkSize;
          if (messages.length > 0) {
            await this.handler.apply(state, batch, messages, control, this.totals);
          } else if (state.nextOffset !== null) control.markDone(String(state.nextOffset)); // all applied before
          pos = chunkEnd;
          attempt = 0;
          if (resume) {
            resume();
            resume = undefined;
          }
          await control.heartbeat();
        } catch (thrown) {
          const err = coerceError(thrown);
          // The state may have run ahead of what was committed: rebuild it from PostgreSQL.
          this.partitions.delete(batch.partition);
          if (isRebalance(err) || this.stopping) throw err;
          attempt++;
          this.totals.retries++;
          this.deps.metrics.retries.inc();
          const [first, max] = this.options.retryDelayMs ?? [200, 30_000];
          const retriable = isRetriable(err);
          const delay = retriable ? Math.min(max, first * 2 ** Math.min(attempt - 1, 10)) : max;
          log[retriable ? 'warn' : 'error'](
            { err, attempt, delayMs: delay, offset: batch.messages[pos]?.offset },
            'batch failed; pausing the partition and retrying (nothing is committed)',
          );
          resume ??= control.pause();
          for (let waited = 0; waited < delay && control.isActive() && !this.stopping; waited += 1_000) {
            await sleep(Math.min(1_000, delay - waited));
            await control.heartbeat();
          }
        }
      }
    } finally {
      this.inHandBatches.delete(batch.partition);
      resume?.();
    }
  }

  private async partitionState(partition: number): Promise<S> {
    const current = this.partitions.get(partition);
    if (current && current.generation === this.generation) return current;
    const generation = this.generation;
    const state = Object.assign(await this.handler.load(partition, generation), { generation });
    this.partitions.set(partition, state);
    return state;
  }
}

/**
 * The chunk runner of `inventory-events` (SPEC §3): each chunk goes through `applyChunk`, with the
 * partition's windows and detector state (`PartitionState`) rebuilt from PostgreSQL per generation.
 */
export class Ingestor extends ChunkRunner<PartitionState> {
  private readonly cache: MetricCache;

  constructor(ingestDeps: IngestDeps, options: IngestOptions) {
    const deps: ChunkDeps = {
      ...ingestDeps,
      cache: new MetricCache(ingestDeps.redis, ingestDeps.master, ingestDeps.logger),
    };
    super(deps, options, {
      topic: options.topics.events,
      load: (partition, generation) =>
        loadPartitionState(deps.db, {
          groupId: options.groupId,
          topic: options.topics.events,
          partition,
          generation,
          allowedLatenessMs: options.allowedLatenessMs,
        }),
      apply: (state, batch, messages, control, totals) =>
        applyChunk(deps, options, totals, state, batch, messages, control),
    });
    this.cache = deps.cache;
  }

  /** Once no batch is in hand: writes the metric cache entries still pending. */
  override async close(): Promise<void> {
    await this.cache.close();
  }
}
