import { computeMetrics } from '../../inventory/analytics/index.js';
import { writeMetricsCache, type CachedMetrics } from '../../inventory/metricsCache/index.js';
import type { Logger, Redis } from '../../platform/index.js';
import type { MasterData } from './enrich.js';
import { dayKey, type PairState } from './pairState.js';

/** Least time between two refreshes of one partition's changed pairs. */
const REFRESH_INTERVAL_MS = 5_000;

/**
 * One partition's refresh. The pairs are those of whichever state the partition had when they
 * changed (a state rebuilt after a rebalance or a failure holds new ones): each as committed.
 */
interface Pending {
  /** Pairs changed by committed chunks since the partition's last refresh. */
  pairs: Set<PairState>;
  /** When the partition's pairs were last written. */
  refreshedAt: number;
  /** A chunk has moved pairs that it has not committed yet. */
  busy: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The stream's refresh of the Redis metric cache (`metrics:{sku}:{warehouse_id}`, SPEC §6): each
 * changed pair's levels and SPEC §5 metrics, as of the last chunk its partition committed.
 *
 * A pair that trades changes in chunk after chunk; its entry need not follow each one (the entry
 * lives an hour, and the daily ETL writes the same keys). A partition's changed pairs are written
 * when a chunk commits at least REFRESH_INTERVAL_MS after the partition's last refresh, or by a
 * timer once that long has passed; each pair's metrics are computed then, once, however many
 * chunks changed it. At a steady 5,000 events/s a chunk holds a partition's last fifth of a
 * second and changes most of its pairs: writing them at every chunk cost more (metrics, JSON,
 * Redis commands) than everything else the sidecar does per pair.
 *
 * Only committed state is written: a timer that finds a chunk of the partition in progress leaves
 * the refresh to that chunk's commit, and the pairs a failed chunk moved (ahead of what committed,
 * and about to be rebuilt from PostgreSQL) are dropped; the chunk's retry changes them again.
 */
export class MetricCache {
  /** By partition. */
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly master: MasterData,
    private readonly logger: Logger,
    private readonly intervalMs = REFRESH_INTERVAL_MS,
  ) {}

  /** A chunk of `partition` starts: its pairs may run ahead of what is committed until it ends. */
  begin(partition: number): void {
    this.entry(partition).busy = true;
  }

  /** The chunk committed, having changed `pairs`: they are refreshed now or within the interval. */
  committed(partition: number, pairs: readonly PairState[], now = Date.now()): void {
    const p = this.entry(partition);
    p.busy = false;
    for (const pair of pairs) p.pairs.add(pair);
    if (p.pairs.size === 0) return;
    const wait = p.refreshedAt + this.intervalMs - now;
    if (wait <= 0) void this.refresh(p, now);
    else if (!p.timer && !this.closed) {
      p.timer = setTimeout(() => {
        p.timer = undefined;
        if (!p.busy) void this.refresh(p, Date.now());
      }, wait);
      p.timer.unref();
    }
  }

  /** The chunk failed after moving `pairs`: those are not written; the partition's others are. */
  failed(partition: number, pairs: Iterable<PairState | undefined>): void {
    const p = this.pending.get(partition);
    if (!p) return;
    p.busy = false;
    for (const pair of pairs) if (pair) p.pairs.delete(pair);
    void this.refresh(p, Date.now());
  }

  /** Writes what every partition has pending (at shutdown, once no chunk is in progress). */
  async close(): Promise<void> {
    this.closed = true;
    const writes: Array<Promise<unknown>> = [];
    for (const p of this.pending.values()) if (!p.busy) writes.push(this.refresh(p, Date.now()));
    await Promise.all(writes);
  }

  private entry(partition: number): Pending {
    let p = this.pending.get(partition);
    if (!p) {
      p = { pairs: new Set(), refreshedAt: -Infinity, busy: false, timer: undefined };
      this.pending.set(partition, p);
    }
    return p;
  }

  /**
   * Writes the partition's pending pairs. The metric cache is a convenience for readers: a failure
   * is logged, never retried here; while Redis is away the refresh is skipped rather than queued
   * (the offline queue would grow without bound).
   */
  private refresh(p: Pending, now: number): Promise<unknown> {
    clearTimeout(p.timer);
    p.timer = undefined;
    p.refreshedAt = now;
    const pairs = [...p.pairs];
    p.pairs.clear();
    if (pairs.length === 0 || this.redis.status !== 'ready') return Promise.resolve();
    const updatedAt = new Date(now).toISOString();
    const entries: CachedMetrics[] = [];
    for (const pair of pairs) {
      const day = dayKey(pair.maxEventTime);
      entries.push({
        sku: pair.sku,
        warehouse_id: pair.warehouseId,
        quantity_on_hand: pair.onHand,
        quantity_reserved: pair.reserved,
        ...computeMetrics({
          dailySales: pair.salesSeries(day),
          onHand: pair.onHand,
          reserved: pair.reserved,
          leadTimeDays: this.master.product(pair.sku)!.leadTimeDays,
        }),
        as_of_date: day,
        source: 'streaming',
        updated_at: updatedAt,
      });
    }
    return writeMetricsCache(this.redis, entries).catch((err: unknown) =>
      this.logger.warn({ err }, 'metrics cache refresh failed'),
    );
  }
}
