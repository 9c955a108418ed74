import { loadLedgerEvents } from '../store/index.js';
import type { BatchControl, InboundBatch, InboundMessage } from '../transport/index.js';
import { admit, rejectUnknown, Rejections } from './admit.js';
import { commitTransaction, publishOutputs, writeLedger, writeOutputs } from './commit.js';
import { classifyNew, settleRepeats } from './dedupe.js';
import { detect } from './detect.js';
import type { IngestDeps, IngestOptions, IngestTotals } from './ingestOptions.js';
import type { MetricCache } from './metricCache.js';
import { observe, type ChunkReport } from './observe.js';
import { loadPairs, type PartitionState } from './partition.js';

/** What a chunk needs: the ingestor's dependencies and its metric cache. */
export type ChunkDeps = IngestDeps & { cache: MetricCache };

/**
 * One chunk of a partition's batch, start to end: admit → load pair state → (one PostgreSQL
 * transaction: write the ledger → dedupe → detect → write outputs and the fenced offset → publish
 * → commit) → observe, and the changed pairs to the metric cache. Throws when anything before the
 * commit fails; the runner then throws the partition's state away and retries. Nothing after the
 * commit throws.
 *
 * Effectively-once: a chunk's ledger rows, levels, anomalies, windows, alerts and the partition's
 * next offset commit together, and the ledger's primary key turns any redelivery into a no-op
 * (only newly inserted rows move levels, windows and detectors). Messages for the output topics
 * (DLQ, alerts, windows) are published before the commit, so they are at-least-once.
 */
export async function applyChunk(
  deps: ChunkDeps,
  options: IngestOptions,
  totals: IngestTotals,
  state: PartitionState,
  batch: InboundBatch,
  messages: InboundMessage[],
  control: BatchControl,
): Promise<void> {
  const started = Date.now();
  const { db, master, publisher, cache } = deps;
  const rejects = new Rejections({ topic: batch.topic, partition: batch.partition });

  // 1. Admit: contract rules, then master data — asking PostgreSQL about ids the cache has not seen.
  const admitted = admit(
    messages,
    master,
    { now: Date.now(), maxEventAgeDays: options.maxEventAgeDays },
    rejects,
  );
  let accepted = admitted.accepted;
  if (admitted.unknownIds) {
    await master.resolveMissing(
      accepted.map((a) => a.event.sku),
      accepted.map((a) => a.event.warehouseId),
    );
    accepted = rejectUnknown(accepted, master, rejects);
  }

  // Detector state of pairs this instance has not seen since it took the partition.
  const timings: Record<string, number> = { validate: Date.now() - started };
  let mark = Date.now();
  const lap = (name: string) => {
    const now = Date.now();
    timings[name] = now - mark;
    mark = now;
  };
  await loadPairs(db, state, accepted);
  lap('loadPairs');
  await control.heartbeat();

  const nextOffset = BigInt(messages[messages.length - 1]!.offset) + 1n;
  const trx = await db.transaction();
  // From here on the pairs may run ahead of what PostgreSQL holds, until the commit.
  cache.begin(batch.partition);
  let report: ChunkReport;
  try {
    lap('begin');
    // 2. The ledger, each event id once; levels move by the rows inserted.
    const result = await writeLedger(trx, accepted, batch.partition);
    lap('apply');
    // 3. Dedupe: new events, duplicates of stored ones, and ids reused for something else.
    const { applied, repeats } = classifyNew(accepted, result, rejects);
    const duplicates =
      repeats.length > 0
        ? settleRepeats(
            repeats,
            await loadLedgerEvents(
              trx,
              repeats.map((r) => r.event.eventId),
            ),
            rejects,
          )
        : 0;
    // 4. Detect: windows, anomalies, stock-out risk over the new events.
    const found = detect(state, applied, result.levels, { master, logger: deps.logger });
    lap('detect');
    // 5. Commit: outputs and the fenced offset, the output topics, then the transaction.
    await writeOutputs(trx, found, {
      groupId: options.groupId,
      topic: options.topics.events,
      partition: batch.partition,
      expectedNextOffset: state.nextOffset,
      nextOffset,
      maxEventTime: state.windows.maxEventTime,
    });
    lap('write');
    await publishOutputs(publisher, options.topics, rejects.messages, found);
    lap('publish');
    await commitTransaction(trx);
    lap('commit');
    report = {
      started,
      applied: applied.length,
      duplicates,
      dlqReasons: rejects.reasons,
      found,
      nextOffset,
      timings,
      written: result.written,
    };
  } catch (err) {
    await trx.rollback().catch(() => undefined);
    cache.failed(
      batch.partition,
      accepted.map((a) => a.pair),
    );
    throw err;
  }

  // Committed: from here on nothing may throw the chunk back into a retry.
  state.nextOffset = nextOffset;
  control.markDone(String(nextOffset));
  // 6. Observe: metrics, totals, mailer, logs; the metric cache.
  observe(deps, totals, batch, messages, report);
  cache.committed(batch.partition, report.found.changedPairs);
}
