/**
 * One queue per partition between a Kafka fetcher and the batch handler, so the fetcher can run
 * ahead: while a partition's batch is handled, its next batches are already fetched and decoded.
 *
 * - A lane handles its batches one after another: one partition is never handled twice at once.
 * - A lane holds at most `depth` (in `size` units) besides the batch in hand. `onFull` says when
 *   to stop fetching the partition and `onRoom` when to fetch it again.
 * - When the lane takes its next batch, it first `join`s the queued batches that can be joined
 *   into one: a lane that fell behind catches up with one larger batch (one transaction) instead
 *   of many small ones.
 * - At most `concurrency` batches of all lanes are in hand at once.
 * - `clear` drops what a lane has queued (after a seek or a rebalance); the batch in hand runs on
 *   and finds out for itself that it is stale.
 */
export interface PartitionLanesOptions<T> {
  /** Most a lane queues besides the batch in hand, in `size` units. */
  depth: number;
  /** An item's share of `depth`. @defaultValue 1 per item */
  size?(item: T): number;
  /** Whether `next`, queued right after `first`, can be handled together with it. */
  canJoin?(first: T, next: T): boolean;
  /** Queued items, each joinable with the one before it, as one item. */
  join?(items: T[]): T;
  concurrency: number;
  handle(partition: number, item: T): Promise<void>;
  /** A handler threw: the lane's queue has been dropped; what was not handled must be fetched again. */
  onError(partition: number, item: T, error: unknown): void;
  onFull(partition: number): void;
  onRoom(partition: number): void;
}

interface Lane<T> {
  queue: T[];
  /** The `size` of what is queued. */
  queued: number;
  busy: boolean;
  full: boolean;
}

export class PartitionLanes<T> {
  private readonly lanes = new Map<number, Lane<T>>();
  private inHand = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: PartitionLanesOptions<T>) {}

  /** Queues `item` unless the lane is full; false means the caller must deliver it again later. */
  offer(partition: number, item: T): boolean {
    const lane = this.lane(partition);
    if (lane.busy && lane.queued >= this.options.depth) return false;
    lane.queue.push(item);
    lane.queued += this.sizeOf(item);
    // An idle lane takes the item at once (run() takes it before its first await).
    if (!lane.busy) void this.run(partition, lane);
    this.updateFull(partition, lane);
    return true;
  }

  /** Drops the queued batches of one partition, or of all. */
  clear(partition?: number): void {
    for (const [p, lane] of this.lanes) {
      if (partition !== undefined && p !== partition) continue;
      lane.queue.length = 0;
      lane.queued = 0;
      this.updateFull(p, lane);
    }
  }

  /** Resolves once no lane holds or handles a batch. */
  async idle(): Promise<void> {
    while ([...this.lanes.values()].some((l) => l.busy)) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private lane(partition: number): Lane<T> {
    let lane = this.lanes.get(partition);
    if (!lane) {
      lane = { queue: [], queued: 0, busy: false, full: false };
      this.lanes.set(partition, lane);
    }
    return lane;
  }

  private updateFull(partition: number, lane: Lane<T>): void {
    const full = lane.queued >= this.options.depth;
    if (full === lane.full) return;
    lane.full = full;
    if (full) this.options.onFull(partition);
    else this.options.onRoom(partition);
  }

  private async run(partition: number, lane: Lane<T>): Promise<void> {
    lane.busy = true;
    try {
      for (let item = this.take(lane); item !== undefined; item = this.take(lane)) {
        this.updateFull(partition, lane);
        await this.acquire();
        try {
          await this.options.handle(partition, item);
        } catch (err) {
          this.clear(partition);
          this.options.onError(partition, item, err);
        } finally {
          this.release();
        }
      }
    } finally {
      lane.busy = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private sizeOf(item: T): number {
    return this.options.size?.(item) ?? 1;
  }

  /** The lane's next item: the first queued, joined with those after it that it can be joined with. */
  private take(lane: Lane<T>): T | undefined {
    const { canJoin, join } = this.options;
    let n = lane.queue.length > 0 ? 1 : 0;
    while (canJoin && join && n < lane.queue.length && canJoin(lane.queue[n - 1]!, lane.queue[n]!)) n++;
    if (n === 0) return undefined;
    const taken = lane.queue.splice(0, n);
    for (const item of taken) lane.queued -= this.sizeOf(item);
    return n === 1 ? taken[0] : join!(taken);
  }

  private async acquire(): Promise<void> {
    while (this.inHand >= this.options.concurrency) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.inHand++;
  }

  private release(): void {
    this.inHand--;
    this.slotWaiters.shift()?.();
  }
}
