import type { Knex } from 'knex';
import { RESERVATION_TYPES } from '../../inventory/events/index.js';
import type { TopicNames } from '../../platform/index.js';
import { applyEvents, writeChunkOutputs, type AppliedEvents } from '../store/index.js';
import type { OutboundMessage, Publisher } from '../transport/index.js';
import type { Accepted } from './admit.js';
import { alertKey, alertMessage } from './alerts.js';
import type { Detection } from './detect.js';
import { windowMessage } from './outputs.js';

const RESERVATION_LIST = [...RESERVATION_TYPES];

/**
 * Stage 2, commit (the ledger): the accepted events go into the ledger, each event id once, and
 * the levels move by exactly the rows inserted. What was skipped or orphaned is for `dedupe`.
 */
export function writeLedger(
  trx: Knex.Transaction,
  accepted: readonly Accepted[],
  partition: number,
): Promise<AppliedEvents> {
  return applyEvents(
    trx,
    accepted.map((a) => a.event),
    RESERVATION_LIST,
    partition,
  );
}

/**
 * Stage 5, commit (the outputs): anomalies, closed windows, late counts, alert updates and the
 * partition's progress, in one statement, then the new alerts (see `writeChunkOutputs`); an
 * opening that folded into an alert another writer opened first is no news. The progress write is fenced on `expectedNextOffset`,
 * the offset the chunk started from (`OffsetConflictError` when another member moved it).
 */
export async function writeOutputs(
  trx: Knex.Transaction,
  found: Detection,
  progress: {
    groupId: string;
    topic: string;
    partition: number;
    expectedNextOffset: bigint | null;
    nextOffset: bigint;
    maxEventTime: number | null;
  },
): Promise<void> {
  const written = await writeChunkOutputs(trx, {
    anomalies: found.anomalies,
    closedWindows: found.closedWindows,
    lateWindows: found.lateWindows,
    newAlerts: found.incidents.opened,
    alertUpdates: [...found.incidents.updates.values()],
    groupId: progress.groupId,
    topic: progress.topic,
    expectedNextOffset: progress.expectedNextOffset === null ? null : String(progress.expectedNextOffset),
    progress: {
      partition: progress.partition,
      nextOffset: String(progress.nextOffset),
      maxEventTime: progress.maxEventTime === null ? null : new Date(progress.maxEventTime),
    },
  });
  found.incidents.settle(written);
}

/**
 * Stage 5, commit (the output topics): DLQ messages, alerts and closed windows. Published before
 * the PostgreSQL commit: a crash in between repeats them, never loses them.
 */
export async function publishOutputs(
  publisher: Publisher,
  topics: TopicNames,
  dlq: OutboundMessage[],
  found: Detection,
): Promise<void> {
  const createdAt = new Date();
  await Promise.all([
    publisher.send(topics.dlq, dlq),
    publisher.send(
      topics.alerts,
      found.incidents.news.map((n) => ({
        key: alertKey(n.row),
        value: JSON.stringify(alertMessage(n, createdAt)),
      })),
    ),
    publisher.send(topics.analytics, found.closedWindows.map(windowMessage)),
  ]);
}

/** Stage 5, commit: commits the chunk's transaction, and throws when PostgreSQL refused it. */
export async function commitTransaction(trx: Knex.Transaction): Promise<void> {
  await trx.commit();
  // knex resolves commit() even when PostgreSQL refuses the COMMIT (a deferred constraint, a
  // dropped connection): the outcome is on executionPromise, and a refused chunk must retry.
  await trx.executionPromise;
}
