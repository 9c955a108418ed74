import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { alertSeverity, computeMetrics, type Metrics } from '../../inventory/analytics/index.js';
import {
  applyEvents,
  loadLedgerEvents,
  loadPairHistory,
  pairId,
  writeChunkOutputs,
  type AlertRow,
  type AnomalyRow,
  type PairKey,
} from '../store/index.js';
import { EVENT_TYPES, RESERVATION_TYPES, eventKey } from '../../inventory/events/index.js';
import { writeMetricsCache, type CachedMetrics } from '../../inventory/metricsCache/index.js';
import { coerceError, isRetriable, type Logger, type Redis, type TopicNames } from '../../platform/index.js';
import {
  ALERT_SOURCE,
  STOCKOUT_ALERT,
  alertMessage,
  cooldownAllows,
  dedupKey,
  passesCooldown,
  type AlertMailer,
} from './alerts.js';
import { combineRisk, detectAnomalies, resumeEpisodes, type FiredRule } from './anomalies.js';
import { ANOMALY_TYPES } from '../../inventory/rules/index.js';
import { severityRank, type Severity } from '../../inventory/alerts/index.js';
import { causeId } from './causeIds.js';
import {
  isRebalance,
  type BatchControl,
  type InboundBatch,
  type InboundMessage,
  type OutboundMessage,
  type Publisher,
} from '../transport/index.js';
import type { EventContext, MasterData } from './enrich.js';
import type { StreamingMetrics } from '../metrics.js';
import { dlqMessage, windowMessage } from './outputs.js';
import { PairMap } from './pairMap.js';
import { PairState, dayKey } from './pairState.js';
import { loadPartitionState, type PartitionState } from './partition.js';
import { validateMessage, type DlqReason, type NormalisedEvent } from './validate.js';

export interface IngestOptions {
  groupId: string;
  topics: TopicNames;
  maxEventAgeDays: number;
  allowedLatenessMs: number;
  /** Same-key alerts within this time are suppressed unless more severe. @defaultValue 900000 */
  alertCooldownMs?: number;
  /**
   * Messages applied per PostgreSQL transaction, about: a batch is cut into equal chunks as near
   * this size as whole chunks allow (up to 1.5 times it). @defaultValue 5000
   */
  chunkSize?: number;
  /** First and largest pause between retries of a failed batch. @defaultValue [200, 30000] */
  retryDelayMs?: [number, number];
}

export interface IngestDeps {
  db: Knex;
  redis: Redis;
  publisher: Publisher;
  master: MasterData;
  mailer: AlertMailer;
  metrics: StreamingMetrics;
  logger: Logger;
}

interface Accepted {
  message: InboundMessage;
  event: NormalisedEvent;
  /** The pair's detector state, once loaded (`loadPairs`). */
  pair: PairState | undefined;
}

const RESERVATION_LIST = [...RESERVATION_TYPES];
const STORED_TYPES = EVENT_TYPES.filter((t) => t !== 'INVENTORY_UPDATE');
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/**
 * How far below a severity threshold the running-sum risk may be and still be checked exactly:
 * far above its rounding error, far below any difference that matters.
 */
const SCREEN_MARGIN = 1e-9;

/**
 * The pipeline of one sidecar instance: consume → validate → apply → windows → anomalies →
 * alerts, one PostgreSQL transaction per chunk of a partition's batch.
 *
 * Effectively-once: a chunk's ledger rows, levels, anomalies, windows, alerts and the partition's
 * next offset commit together. After a crash the partition resumes from the stored offset, and
 * the ledger's primary key turns any redelivery into a no-op (only newly inserted rows move
 * levels, windows and detectors). Messages for the output topics (DLQ, alerts, windows) are
 * published before the commit, so they are at-least-once: never lost, possibly repeated.
 */
export class Ingestor {
  private readonly partitions = new Map<number, PartitionState>();
  /** Each pair's stock-out dedup key, built once: a pair at risk is asked after every change. */
  private readonly stockoutKeys = new WeakMap<PairState, string>();
  private generation = 0;
  private stopping = false;
  /** Totals since start, for logs and tests. */
  readonly totals = { applied: 0, duplicates: 0, dlq: 0, batches: 0, retries: 0 };

  constructor(
    private readonly deps: IngestDeps,
    private readonly options: IngestOptions,
  ) {}

  /** A new group generation: every partition is reloaded from PostgreSQL before its next batch. */
  onAssignment(partitions: number[]): void {
    this.generation++;
    for (const p of [...this.partitions.keys()]) if (!partitions.includes(p)) this.partitions.delete(p);
    this.deps.logger.info(
      { topic: this.options.topics.events, partitions, generation: this.generation },
      'partitions assigned',
    );
  }

  /** Stop retrying; batches in hand finish their current attempt. */
  stop(): void {
    this.stopping = true;
  }

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
    try {
      while (pos < batch.messages.length) {
        if (!control.isActive() || this.stopping) return;
        try {
          const state = await this.partitionState(batch.partition);
          let messages = batch.messages.slice(pos, pos + chunkSize);
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
          if (messages.length > 0) await this.applyChunk(state, batch, messages, control);
          else if (state.nextOffset !== null) control.markDone(String(state.nextOffset)); // all applied before
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
          const delay = Math.min(max, first * 2 ** Math.min(attempt - 1, 10));
          log[isRetriable(err) ? 'warn' : 'error'](
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
      resume?.();
    }
  }

  private async partitionState(partition: number): Promise<PartitionState> {
    const current = this.partitions.get(partition);
    if (current && current.generation === this.generation) return current;
    const state = await loadPartitionState(this.deps.db, {
      groupId: this.options.groupId,
      topic: this.options.topics.events,
      partition,
      generation: this.generation,
      allowedLatenessMs: this.options.allowedLatenessMs,
    });
    this.partitions.set(partition, state);
    return state;
  }

  private async applyChunk(
    state: PartitionState,
    batch: InboundBatch,
    messages: InboundMessage[],
    control: BatchControl,
  ): Promise<void> {
    const started = Date.now();
    const { db, master, publisher } = this.deps;
    const { topics } = this.options;
    const source = { topic: batch.topic, partition: batch.partition };
    const dlq: OutboundMessage[] = [];
    const dlqReasons: DlqReason[] = [];
    const reject = (m: InboundMessage, reason: DlqReason, detail: string) => {
      dlq.push(dlqMessage(m, source, reason, detail));
      dlqReasons.push(reason);
    };

    // 1. Contract rules that need no master data. Known ids are swapped for the cache's own
    // strings: every later lookup then finds their hashes computed, and the message's copies die
    // young instead of living as long as the chunk.
    const limits = { now: Date.now(), maxEventAgeDays: this.options.maxEventAgeDays };
    let accepted: Accepted[] = [];
    let unknownIds = false;
    for (const message of messages) {
      const v = validateMessage(message.value, limits);
      if (!v.ok) {
        reject(message, v.reason, v.detail);
        continue;
      }
      const e = v.event;
      const product = master.product(e.sku);
      const warehouse = master.warehouse(e.warehouseId);
      if (product) e.sku = product.sku;
      if (warehouse) e.warehouseId = warehouse.warehouseId;
      if (!product || !warehouse) unknownIds = true;
      accepted.push({ message, event: e, pair: undefined });
    }

    // 2. Unknown SKU or warehouse — after asking PostgreSQL about ids the cache has not seen.
    if (unknownIds) {
      await master.resolveMissing(
        accepted.map((a) => a.event.sku),
        accepted.map((a) => a.event.warehouseId),
      );
      accepted = accepted.filter((a) => {
        if (!master.product(a.event.sku)) reject(a.message, 'unknown_sku', `unknown SKU ${a.event.sku}`);
        else if (!master.warehouse(a.event.warehouseId)) {
          reject(a.message, 'unknown_warehouse', `unknown warehouse ${a.event.warehouseId}`);
        } else return true;
        return false;
      });
    }

    // 3. Detector state of pairs this instance has not seen since it took the partition.
    const timings: Record<string, number> = { validate: Date.now() - started };
    let mark = Date.now();
    const lap = (name: string) => {
      const now = Date.now();
      timings[name] = now - mark;
      mark = now;
    };
    await this.loadPairs(state, accepted);
    lap('loadPairs');
    await control.heartbeat();

    const lastOffset = BigInt(messages[messages.length - 1]!.offset);
    const trx = await db.transaction();
    const alerts: AlertRow[] = [];
    let changedPairs: PairState[] = [];
    let duplicates = 0;
    let written = '';
    const applied: Accepted[] = [];
    const anomalyCounts = new Map<string, number>();
    const windowCounts = new Map<string, number>();
    const lateCount = new Map<string, number>();
    try {
      lap('begin');
      const result = await applyEvents(
        trx,
        accepted.map((a) => a.event),
        RESERVATION_LIST,
        batch.partition,
      );
      lap('apply');
      written = result.written;

      // 4. Which accepted events are new. A repeat (in this chunk or from an earlier delivery) is
      // a duplicate when it says the same thing, and dead-lettered when it reuses an id for
      // something else.
      const claimed = new Set<string>();
      const repeats: Accepted[] = [];
      for (const a of accepted) {
        const orphan = result.orphans.get(a.event.eventId);
        if (orphan === 'sku')
          reject(a.message, 'unknown_sku', `SKU ${a.event.sku} is no longer in PostgreSQL`);
        else if (orphan) {
          reject(
            a.message,
            'unknown_warehouse',
            `warehouse ${a.event.warehouseId} is no longer in PostgreSQL`,
          );
        } else if (result.written === 'copy') {
          // One COPY took every row: no id was repeated, in the chunk or the ledger.
          applied.push(a);
        } else if (!result.skippedIds.has(a.event.eventId) && !claimed.has(a.event.eventId)) {
          claimed.add(a.event.eventId);
          applied.push(a);
        } else repeats.push(a);
      }
      if (repeats.length > 0) {
        const stored = await loadLedgerEvents(
          trx,
          repeats.map((r) => r.event.eventId),
        );
        for (const r of repeats) {
          const s = stored.get(r.event.eventId);
          const same =
            s &&
            s.sku === r.event.sku &&
            s.warehouseId === r.event.warehouseId &&
            s.eventType === r.event.eventType &&
            s.quantityChange === r.event.quantityChange &&
            s.occurredAt.getTime() === r.event.occurredAt.getTime();
          if (same) duplicates++;
          else
            reject(
              r.message,
              'conflicting_duplicate',
              `eventId ${r.event.eventId} was applied with other content`,
            );
        }
      }

      // 5. Windows, anomalies and stock-out risk after each change, in arrival order, for new
      // events only. An alert names the event after which it was raised, so a chunk cut
      // differently after a crash raises the same alerts under the same ids.
      const anomalies: AnomalyRow[] = [];
      const now = Date.now();
      const cooldown = this.options.alertCooldownMs ?? 900_000;
      const raise = (pair: PairState, row: AlertRow) => {
        if (passesCooldown(pair, row.dedupKey, row.severity as Severity, now, cooldown)) alerts.push(row);
      };
      /** Pairs that changed, with the last event applied to each. */
      const changed = new Map<PairState, string>();
      for (const { event: e, pair: p } of applied) {
        const pair = p!;
        const late = state.windows.add(e.sku, e.warehouseId, e.quantityChange, e.occurredAt.getTime());
        if (late > 0) lateCount.set('any', (lateCount.get('any') ?? 0) + late);
        const ctx = master.context(e.sku, e.warehouseId, e.occurredAt)!;
        const fired = detectAnomalies(pair, e, ctx);
        changed.set(pair, e.eventId);
        if (fired.length > 0) {
          const risk = combineRisk(fired);
          for (const f of fired) {
            anomalyCounts.set(f.type, (anomalyCounts.get(f.type) ?? 0) + 1);
            anomalies.push({
              anomalyId: causeId('anomaly', f.type, e.eventId),
              eventId: e.eventId,
              sku: e.sku,
              warehouseId: e.warehouseId,
              anomalyType: f.type,
              severity: f.severity,
              riskScore: risk,
              details: {
                ...f.details,
                ruleRisk: f.risk,
                rules: fired.map((x) => x.type),
                eventType: e.eventType,
                quantityChange: e.quantityChange,
              },
              occurredAt: e.occurredAt,
            });
            if (severityRank(f.severity) >= 1) raise(pair, anomalyAlert(e, f, risk, fired, ctx));
          }
        }
        this.checkStockout(pair, e.eventId, now, cooldown, raise);
      }

      // 6. The levels just written. They differ from memory only when something besides this
      // partition moved them (a correction in SQL, say): then memory follows, and the pair's
      // stock-out risk is checked once more, after its last event in the chunk.
      for (const level of result.levels) {
        const pair = state.pairs.get(level.sku, level.warehouseId);
        if (!pair) continue;
        if (pair.onHand !== level.onHand || pair.reserved !== level.reserved) {
          this.deps.logger.warn(
            { sku: level.sku, warehouseId: level.warehouseId, memory: pair.onHand, stored: level.onHand },
            'in-memory level differed from PostgreSQL; using the stored one',
          );
          pair.onHand = level.onHand;
          pair.reserved = level.reserved;
          const last = changed.get(pair);
          if (last) this.checkStockout(pair, last, now, cooldown, raise);
        }
      }
      // The SPEC §5 metrics of each changed pair, for the Redis cache.
      changedPairs = [...changed.keys()];
      for (const pair of changedPairs) {
        const day = dayKey(pair.maxEventTime);
        pair.lastMetrics = { ...this.metricsOf(pair, day), as_of_date: day };
      }

      const closed = state.windows.closeDue();
      for (const w of closed) windowCounts.set(w.kind, (windowCounts.get(w.kind) ?? 0) + 1);
      const lateClosed = state.windows.takeLateForClosed();

      lap('detect');
      // A late count for a window that closes in this same chunk goes on that window's row.
      const closedKeys = new Map(
        closed.map((w) => [`${w.kind}|${w.start.getTime()}|${w.sku}|${w.warehouseId}`, w]),
      );
      const lateWindows = lateClosed.filter((l) => {
        const w = closedKeys.get(`${l.kind}|${l.start.getTime()}|${l.sku}|${l.warehouseId}`);
        if (w) w.lateEvents += l.count;
        return !w;
      });
      await writeChunkOutputs(trx, {
        anomalies,
        closedWindows: closed,
        lateWindows,
        alerts,
        groupId: this.options.groupId,
        topic: topics.events,
        expectedNextOffset: state.nextOffset === null ? null : String(state.nextOffset),
        progress: {
          partition: batch.partition,
          nextOffset: String(lastOffset + 1n),
          maxEventTime: state.windows.maxEventTime === null ? null : new Date(state.windows.maxEventTime),
        },
      });
      lap('write');
      // Output topics before the commit: a crash in between repeats them, never loses them.
      const createdAt = new Date();
      await Promise.all([
        publisher.send(topics.dlq, dlq),
        publisher.send(
          topics.alerts,
          alerts.map((a) => ({
            key: eventKey({ sku: a.sku, warehouseId: a.warehouseId }),
            value: JSON.stringify(alertMessage(a, createdAt)),
          })),
        ),
        publisher.send(topics.analytics, closed.map(windowMessage)),
      ]);
      lap('publish');
      await trx.commit();
      // knex resolves commit() even when PostgreSQL refuses the COMMIT (a deferred constraint, a
      // dropped connection): the outcome is on executionPromise, and a refused chunk must retry.
      await trx.executionPromise;
      lap('commit');
    } catch (err) {
      await trx.rollback().catch(() => undefined);
      throw err;
    }

    // Committed: from here on nothing may throw the chunk back into a retry.
    state.nextOffset = lastOffset + 1n;
    control.markDone(String(lastOffset + 1n));
    this.afterCommit(batch, messages, {
      started,
      applied,
      duplicates,
      dlqReasons,
      alerts,
      changedPairs,
      anomalyCounts,
      windowCounts,
      late: lateCount.get('any') ?? 0,
      nextOffset: lastOffset + 1n,
      timings,
      written,
    });
  }

  private afterCommit(
    batch: InboundBatch,
    messages: InboundMessage[],
    r: {
      started: number;
      applied: Accepted[];
      duplicates: number;
      dlqReasons: DlqReason[];
      alerts: AlertRow[];
      changedPairs: PairState[];
      anomalyCounts: Map<string, number>;
      windowCounts: Map<string, number>;
      late: number;
      nextOffset: bigint;
      timings: Record<string, number>;
      /** How the ledger rows went in (`AppliedEvents.written`). */
      written: string;
    },
  ): void {
    const { metrics, redis, mailer, logger } = this.deps;
    const topic = batch.topic;
    const now = Date.now();
    metrics.messagesProcessed.inc({ topic, status: 'applied' }, r.applied.length);
    if (r.duplicates) metrics.messagesProcessed.inc({ topic, status: 'duplicate' }, r.duplicates);
    if (r.dlqReasons.length) metrics.messagesProcessed.inc({ topic, status: 'dlq' }, r.dlqReasons.length);
    for (const reason of r.dlqReasons) metrics.dlq.inc({ reason });
    for (const [type, n] of r.anomalyCounts) metrics.anomalies.inc({ type }, n);
    for (const [kind, n] of r.windowCounts) metrics.windowsClosed.inc({ kind }, n);
    if (r.late) metrics.lateEvents.inc(r.late);
    for (const a of r.alerts) metrics.alerts.inc({ type: a.alertType, severity: a.severity });
    for (const m of messages)
      metrics.processingSeconds.observe(Math.max(0, now - Number(m.timestamp)) / 1000);
    metrics.batchSeconds.observe((now - r.started) / 1000);
    metrics.consumerLag.set(
      { topic, partition: String(batch.partition) },
      Math.max(0, Number(BigInt(batch.highWatermark) - r.nextOffset)),
    );
    this.totals.applied += r.applied.length;
    this.totals.duplicates += r.duplicates;
    this.totals.dlq += r.dlqReasons.length;
    this.totals.batches++;
    mailer.push(r.alerts);
    if (r.dlqReasons.length > 0) {
      logger.warn(
        {
          topic,
          partition: batch.partition,
          offset: messages[0]!.offset,
          dlq: r.dlqReasons.length,
          reasons: [...new Set(r.dlqReasons)],
        },
        'messages dead-lettered',
      );
    }
    logger.debug(
      {
        topic,
        partition: batch.partition,
        offset: messages[0]!.offset,
        count: messages.length,
        applied: r.applied.length,
        ms: now - r.started,
        timings: r.timings,
        ledger: r.written,
      },
      'chunk committed',
    );

    // The metric cache is a convenience for readers: a failure is logged, never retried here.
    // While Redis is away, skip rather than queue: the offline queue would grow without bound.
    if (r.changedPairs.length > 0 && redis.status === 'ready') {
      const updatedAt = new Date(now).toISOString();
      const entries: CachedMetrics[] = [];
      for (const p of r.changedPairs) {
        if (!p.lastMetrics) continue;
        entries.push({
          sku: p.sku,
          warehouse_id: p.warehouseId,
          quantity_on_hand: p.onHand,
          quantity_reserved: p.reserved,
          ...p.lastMetrics,
          source: 'streaming',
          updated_at: updatedAt,
        });
      }
      writeMetricsCache(redis, entries).catch((err: unknown) =>
        logger.warn({ err }, 'metrics cache refresh failed'),
      );
    }
  }

  /** The SPEC §5 metrics of a pair as of the end of `day`, its latest event's day. */
  private metricsOf(pair: PairState, day: string): Metrics {
    return computeMetrics({
      dailySales: pair.salesSeries(day),
      onHand: pair.onHand,
      reserved: pair.reserved,
      leadTimeDays: this.deps.master.product(pair.sku)!.leadTimeDays,
    });
  }

  /**
   * Raises a stock-out alert (SPEC §5) when the pair is at risk now, caused by `eventId`. The
   * running-sum risk screens every change; the alert itself is decided by `computeMetrics`, the
   * one definition, and only when the cooldown would let its severity through.
   */
  private checkStockout(
    pair: PairState,
    eventId: string,
    now: number,
    cooldown: number,
    raise: (pair: PairState, row: AlertRow) => void,
  ): void {
    const product = this.deps.master.product(pair.sku)!;
    const available = pair.onHand - pair.reserved;
    const atMost = alertSeverity(pair.stockoutRisk(product.leadTimeDays) + SCREEN_MARGIN, available);
    if (!atMost) return;
    let key = this.stockoutKeys.get(pair);
    if (!key) this.stockoutKeys.set(pair, (key = dedupKey(STOCKOUT_ALERT, pair.sku, pair.warehouseId)));
    if (!cooldownAllows(pair, key, atMost, now, cooldown)) return;
    const day = dayKey(pair.maxEventTime);
    const m = this.metricsOf(pair, day);
    const severity = alertSeverity(m.stockout_risk, available);
    if (!severity) return;
    raise(pair, {
      alertId: causeId('alert', STOCKOUT_ALERT, eventId),
      alertType: STOCKOUT_ALERT,
      severity,
      source: ALERT_SOURCE,
      sku: pair.sku,
      warehouseId: pair.warehouseId,
      message:
        available <= 0
          ? `${pair.sku} at ${pair.warehouseId} has nothing available (${available})`
          : `${pair.sku} at ${pair.warehouseId}: stock-out risk ${(m.stockout_risk * 100).toFixed(0)}% within the ${product.leadTimeDays}-day lead time`,
      details: {
        eventId,
        stockoutRisk: m.stockout_risk,
        available,
        onHand: pair.onHand,
        reserved: pair.reserved,
        expectedDailyDemand: m.expected_daily_demand,
        reorderQuantity: m.reorder_quantity,
        asOfDate: day,
      },
      dedupKey: key,
    });
  }

  /**
   * Gives every accepted event its pair's detector state, loading those this partition state
   * lacks from PostgreSQL first.
   */
  private async loadPairs(state: PartitionState, accepted: readonly Accepted[]): Promise<void> {
    const missing = new PairMap<PairKey>();
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (const a of accepted) {
      const e = a.event;
      a.pair = state.pairs.get(e.sku, e.warehouseId);
      if (a.pair || missing.get(e.sku, e.warehouseId)) continue;
      missing.set(e.sku, e.warehouseId, { sku: e.sku, warehouseId: e.warehouseId });
      const t = e.occurredAt.getTime();
      if (t < minTime) minTime = t;
      if (t > maxTime) maxTime = t;
    }
    if (missing.size === 0) return;
    const keys = [...missing.values()];
    const histories = await loadPairHistory(this.deps.db, keys, {
      recentFrom: new Date(minTime - HOUR_MS),
      salesFrom: new Date(Math.floor(maxTime / DAY_MS) * DAY_MS - 31 * DAY_MS),
      eventTypes: STORED_TYPES,
      alertKeys: (p) => [STOCKOUT_ALERT, ...ANOMALY_TYPES].map((t) => dedupKey(t, p.sku, p.warehouseId)),
    });
    for (const k of keys) {
      const history = histories.get(pairId(k.sku, k.warehouseId))!;
      const pair = PairState.fromHistory(k.sku, k.warehouseId, history, severityRank);
      resumeEpisodes(pair);
      state.pairs.set(k.sku, k.warehouseId, pair);
    }
    for (const a of accepted) a.pair ??= state.pairs.get(a.event.sku, a.event.warehouseId);
  }
}

function anomalyAlert(
  e: NormalisedEvent,
  f: FiredRule,
  risk: number,
  fired: readonly FiredRule[],
  ctx: EventContext,
): AlertRow {
  return {
    alertId: causeId('alert', f.type, e.eventId),
    alertType: f.type,
    severity: f.severity,
    source: ALERT_SOURCE,
    sku: e.sku,
    warehouseId: e.warehouseId,
    message: `${f.type.replace(/_/g, ' ').toLowerCase()}: ${e.eventType} ${e.quantityChange} of ${e.sku} at ${e.warehouseId}`,
    details: {
      eventId: e.eventId,
      anomalyId: causeId('anomaly', f.type, e.eventId),
      eventType: e.eventType,
      quantityChange: e.quantityChange,
      occurredAt: e.occurredAt.toISOString(),
      localTime: ctx.localTime,
      shift: ctx.shift,
      category: ctx.product.category,
      zone: ctx.warehouse.zone,
      value: Math.abs(e.quantityChange) * ctx.product.unitCost,
      riskScore: risk,
      rules: fired.map((x) => x.type),
      ...f.details,
    },
    dedupKey: dedupKey(f.type, e.sku, e.warehouseId),
  };
}
