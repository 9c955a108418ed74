import type { Knex } from 'knex';
import {
  insertFulfilmentEvents,
  type AuditPolicy,
  loadStoredEvents,
  naturalKey,
  referencedIds,
  settleRepeat,
  validateFulfilmentMessage,
  type FulfilmentEvent,
  type FulfilmentRejectReason,
  type FulfilmentStream,
} from '../../inventory/fulfilment/index.js';
import type { Logger } from '../../platform/index.js';
import { loadPartitionProgress, writePartitionOffset } from '../store/index.js';
import type { InboundBatch, InboundMessage, PartitionEnds, Publisher } from '../transport/index.js';
import type { StreamingMetrics } from '../metrics.js';
import { Rejections } from './admit.js';
import { alertKey, alertMessage, type AlertMailer } from './alerts.js';
import { commitTransaction } from './commit.js';
import type { MasterData } from './enrich.js';
import type { ChunkHandler } from './runner.js';
import type { DlqReason } from './validate.js';
import { raiseFulfilmentAlerts, type AlertNews } from './fulfilmentAlerts.js';
import { markChangedWindows } from './fulfilmentWindows.js';

/** Every reason of the fulfilment contracts is one of the stream's DLQ reasons (checked here, at compile time). */
const asDlqReason = (reason: FulfilmentRejectReason): DlqReason => reason;

export interface FulfilmentDeps {
  db: Knex;
  publisher: Publisher;
  master: MasterData;
  metrics: StreamingMetrics;
  logger: Logger;
  /** Told when a chunk committed window marks (the refresher recomputes them). */
  onWindowsMarked?: (() => void) | undefined;
  /** E-mails the high and critical alerts the chunks raise (none: nothing is mailed). */
  mailer?: AlertMailer | undefined;
  /** The broker's ends of a topic: a quiet topic that applied all of them moves the watermark on (`lateDispatchInstant`). */
  endOffsets?: ((topic: string) => Promise<PartitionEnds[]>) | undefined;
}

export interface FulfilmentTopic {
  stream: FulfilmentStream;
  groupId: string;
  topic: string;
  dlqTopic: string;
  /** Where the alerts the chunks raise are published (`inventory-alerts`). */
  alertsTopic: string;
  maxEventAgeDays: number;
  /** The audit policy's limits (AUDIT_ADJUSTMENT_VALUE_LIMIT, AUDIT_NIGHT_HOURS). */
  auditPolicy: AuditPolicy;
  /** The group and topic of the order and shipment streams, whose progress is the fulfilment watermark. */
  watermarkOf: ReadonlyArray<{ groupId: string; topic: string }>;
}

interface Accepted {
  message: InboundMessage;
  event: FulfilmentEvent;
}

/**
 * The chunk handler of an order, shipment or audit topic (inventory/fulfilment/CONTRACT.md): admit
 * (contract, then master data) → in one PostgreSQL transaction: the events, each once by eventId
 * and natural key, with the projections they move → repeats settled (duplicate, or dead-lettered
 * as `conflicting_duplicate`) → the alerts the new events raise, fold or resolve
 * (`raiseFulfilmentAlerts`) → the partition's fenced next offset → the DLQ messages and the alert
 * news published → the fulfilment windows the new events change, marked for the refresher
 * (`markChangedWindows`) → COMMIT → the news mailed. Effectively-once as the inventory path: rows,
 * alerts and offset commit together; the topics are at least once (an alert keeps its id).
 */
export function fulfilmentHandler(
  deps: FulfilmentDeps,
  t: FulfilmentTopic,
): ChunkHandler<{ nextOffset: bigint | null }> {
  return {
    topic: t.topic,
    async load(partition) {
      const progress = await loadPartitionProgress(deps.db, t.groupId, t.topic, partition);
      return { nextOffset: progress ? BigInt(progress.nextOffset) : null };
    },
    async apply(state, batch, messages, control, totals) {
      const started = Date.now();
      const rejects = new Rejections({ topic: batch.topic, partition: batch.partition });
      const accepted = await admit(deps.master, t, messages, rejects);
      const nextOffset = BigInt(messages[messages.length - 1]!.offset) + 1n;
      const applied: string[] = [];
      let duplicates = 0;
      let windows = 0;
      let news: AlertNews[] = [];
      const trx = await deps.db.transaction();
      try {
        const inserted = await insertFulfilmentEvents(
          trx,
          t.stream,
          accepted.map((a) => a.event),
          batch.partition,
        );
        const repeats: Accepted[] = [];
        const fresh: FulfilmentEvent[] = [];
        for (const a of accepted) {
          // An id inserted now counts once; a second message with it in the chunk is a repeat.
          if (inserted.delete(a.event.eventId)) {
            applied.push(a.event.eventId);
            fresh.push(a.event);
          } else repeats.push(a);
        }
        if (repeats.length > 0) {
          const stored = await loadStoredEvents(trx, t.stream, {
            eventIds: repeats.map((r) => r.event.eventId),
            naturalKeys: repeats.map((r) => naturalKey(r.event)),
          });
          for (const r of repeats) {
            if (settleRepeat(r.event, stored) === 'duplicate') duplicates++;
            else
              rejects.add(
                r.message,
                'conflicting_duplicate',
                `eventId ${r.event.eventId} or its natural key was applied with other content`,
              );
          }
        }
        news = await raiseFulfilmentAlerts(trx, t.stream, fresh, batch.partition, {
          master: deps.master,
          policy: t.auditPolicy,
          topic: t.topic,
          watermarkOf: t.watermarkOf,
          endOffsets: deps.endOffsets,
          logger: deps.logger,
        });
        let maxEventTime: number | null = null;
        for (const a of accepted) maxEventTime = Math.max(maxEventTime ?? 0, a.event.occurredAt.getTime());
        await writePartitionOffset(trx, {
          groupId: t.groupId,
          topic: t.topic,
          partition: batch.partition,
          expectedNextOffset: state.nextOffset === null ? null : String(state.nextOffset),
          nextOffset: String(nextOffset),
          maxEventTime: maxEventTime === null ? null : new Date(maxEventTime),
          behind: nextOffset < BigInt(batch.highWatermark),
        });
        const createdAt = new Date();
        await Promise.all([
          deps.publisher.send(t.dlqTopic, rejects.messages),
          deps.publisher.send(
            t.alertsTopic,
            news.map((n) => ({ key: alertKey(n.row), value: JSON.stringify(alertMessage(n, createdAt)) })),
          ),
        ]);
        // The windows the new events change, marked to commit with them; last, because it holds
        // the marks' lock (one for every fulfilment chunk) until the commit.
        windows = await markChangedWindows(trx, t.stream, applied);
        await commitTransaction(trx);
      } catch (err) {
        await trx.rollback().catch(() => undefined);
        throw err;
      }
      // Committed: from here on nothing may throw the chunk back into a retry.
      state.nextOffset = nextOffset;
      control.markDone(String(nextOffset));
      if (windows > 0) deps.onWindowsMarked?.();
      observe(deps, totals, batch, messages, {
        started,
        applied: applied.length,
        duplicates,
        windows,
        rejects,
        nextOffset,
        news,
      });
    },
  };
}

/** The contract, then master data (PostgreSQL is asked about ids the cache has not seen). */
async function admit(
  master: MasterData,
  t: FulfilmentTopic,
  messages: readonly InboundMessage[],
  rejects: Rejections,
): Promise<Accepted[]> {
  const limits = { now: Date.now(), maxEventAgeDays: t.maxEventAgeDays };
  const accepted: Accepted[] = [];
  for (const message of messages) {
    const v = validateFulfilmentMessage(t.stream, message.value, limits);
    if (v.ok) accepted.push({ message, event: v.event });
    else rejects.add(message, asDlqReason(v.reason), v.detail);
  }
  const ids = accepted.map((a) => referencedIds(a.event));
  const unknown = (i: number) =>
    ids[i]!.skus.some((s) => !master.product(s)) || ids[i]!.warehouses.some((w) => !master.warehouse(w));
  if (!accepted.some((_, i) => unknown(i))) return accepted;
  await master.resolveMissing(
    ids.flatMap((r) => r.skus),
    ids.flatMap((r) => r.warehouses),
  );
  return accepted.filter((a, i) => {
    const sku = ids[i]!.skus.find((s) => !master.product(s));
    const warehouse = ids[i]!.warehouses.find((w) => !master.warehouse(w));
    if (warehouse !== undefined)
      rejects.add(a.message, 'unknown_warehouse', `unknown warehouse ${warehouse}`);
    else if (sku !== undefined) rejects.add(a.message, 'unknown_sku', `unknown SKU ${sku}`);
    else return true;
    return false;
  });
}

function observe(
  deps: FulfilmentDeps,
  totals: { applied: number; duplicates: number; dlq: number; batches: number },
  batch: InboundBatch,
  messages: readonly InboundMessage[],
  r: {
    started: number;
    applied: number;
    duplicates: number;
    windows: number;
    rejects: Rejections;
    nextOffset: bigint;
    news: AlertNews[];
  },
): void {
  const { metrics, logger } = deps;
  for (const { row } of r.news) metrics.alerts.inc({ type: row.alertType, severity: row.severity });
  deps.mailer?.push(r.news.map((n) => n.row));
  const topic = batch.topic;
  const now = Date.now();
  const dlq = r.rejects.reasons;
  metrics.messagesProcessed.inc({ topic, status: 'applied' }, r.applied);
  if (r.duplicates) metrics.messagesProcessed.inc({ topic, status: 'duplicate' }, r.duplicates);
  if (dlq.length) metrics.messagesProcessed.inc({ topic, status: 'dlq' }, dlq.length);
  for (const reason of dlq) metrics.dlq.inc({ reason });
  for (const m of messages) metrics.processingSeconds.observe(Math.max(0, now - Number(m.timestamp)) / 1000);
  metrics.batchSeconds.observe((now - r.started) / 1000);
  metrics.consumerLag.set(
    { topic, partition: String(batch.partition) },
    Math.max(0, Number(BigInt(batch.highWatermark) - r.nextOffset)),
  );
  totals.applied += r.applied;
  totals.duplicates += r.duplicates;
  totals.dlq += dlq.length;
  totals.batches++;
  const where = { topic, partition: batch.partition, offset: messages[0]!.offset };
  if (dlq.length > 0)
    logger.warn({ ...where, dlq: dlq.length, reasons: [...new Set(dlq)] }, 'messages dead-lettered');
  logger.debug(
    { ...where, count: messages.length, applied: r.applied, windows: r.windows, ms: now - r.started },
    'chunk committed',
  );
}
