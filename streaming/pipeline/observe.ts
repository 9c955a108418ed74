import type { InboundBatch, InboundMessage } from '../transport/index.js';
import type { Detection } from './detect.js';
import type { IngestDeps, IngestTotals } from './ingestOptions.js';
import type { DlqReason } from './validate.js';

/** What one committed chunk did, for the metrics, the logs and the metric cache. */
export interface ChunkReport {
  started: number;
  applied: number;
  duplicates: number;
  dlqReasons: DlqReason[];
  found: Detection;
  nextOffset: bigint;
  timings: Record<string, number>;
  /** How the ledger rows went in (`AppliedEvents.written`). */
  written: string;
}

/**
 * Stage 6, observe, once the chunk has committed: Prometheus, the totals, the alert mailer and
 * the logs (the Redis metric cache is `metricCache.ts`'s). Nothing here may throw the chunk back
 * into a retry.
 */
export function observe(
  deps: Pick<IngestDeps, 'metrics' | 'mailer' | 'logger'>,
  totals: IngestTotals,
  batch: InboundBatch,
  messages: readonly InboundMessage[],
  r: ChunkReport,
): void {
  const { metrics, mailer, logger } = deps;
  const topic = batch.topic;
  const now = Date.now();
  metrics.messagesProcessed.inc({ topic, status: 'applied' }, r.applied);
  if (r.duplicates) metrics.messagesProcessed.inc({ topic, status: 'duplicate' }, r.duplicates);
  if (r.dlqReasons.length) metrics.messagesProcessed.inc({ topic, status: 'dlq' }, r.dlqReasons.length);
  for (const reason of r.dlqReasons) metrics.dlq.inc({ reason });
  for (const [type, n] of r.found.anomalyCounts) metrics.anomalies.inc({ type }, n);
  for (const [kind, n] of r.found.windowCounts) metrics.windowsClosed.inc({ kind }, n);
  if (r.found.late) metrics.lateEvents.inc(r.found.late);
  for (const { row } of r.found.incidents.news)
    metrics.alerts.inc({ type: row.alertType, severity: row.severity });
  for (const m of messages) metrics.processingSeconds.observe(Math.max(0, now - Number(m.timestamp)) / 1000);
  metrics.batchSeconds.observe((now - r.started) / 1000);
  metrics.consumerLag.set(
    { topic, partition: String(batch.partition) },
    Math.max(0, Number(BigInt(batch.highWatermark) - r.nextOffset)),
  );
  totals.applied += r.applied;
  totals.duplicates += r.duplicates;
  totals.dlq += r.dlqReasons.length;
  totals.batches++;
  mailer.push(r.found.incidents.news.map((n) => n.row));
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
      applied: r.applied,
      ms: now - r.started,
      timings: r.timings,
      ledger: r.written,
    },
    'chunk committed',
  );
}
