/**
 * Writing a generated history over several PostgreSQL connections at once, for bulk loads where
 * one backend's CPU is the limit (every row maintains four indexes).
 */
import type { Knex } from '../../platform/index.js';
import { insertFulfilmentBatch, type FulfilmentEvent } from '../fulfilment/index.js';
import {
  insertTransactions,
  skipForeignKeyChecks,
  upsertLevels,
  type TransactionColumns,
} from './store/index.js';
import type { HistoryBatch } from './history.js';
import type { LevelRow } from './pair.js';

export interface WriteProgress {
  /** Transactions written so far. */
  rows: number;
  /** Pairs whose final level is written. */
  pairs: number;
  /** Order, shipment and audit events written. */
  fulfilment?: number;
}

/** Writes order, shipment and audit events of a batch, and counts them. */
export async function writeFulfilment(
  knex: Knex,
  events: readonly FulfilmentEvent[],
  progress: WriteProgress,
): Promise<void> {
  if (events.length === 0) return;
  const written = await insertFulfilmentBatch(knex, events);
  progress.fulfilment = (progress.fulfilment ?? 0) + written.orders + written.shipments + written.audit;
}

/** Writes one batch: its transactions, then the levels of the pairs it completes. */
export async function writeBatch(
  knex: Knex,
  rows: TransactionColumns,
  levels: readonly LevelRow[],
  progress: WriteProgress,
): Promise<void> {
  // Read the count first and add after: `progress.rows += await …` would add to a value read
  // before the await, losing the rows other writers counted meanwhile.
  const inserted = await insertTransactions(knex, rows);
  await upsertLevels(knex, levels);
  progress.rows += inserted;
  progress.pairs += levels.length;
}

/**
 * Hands batches to `connections` transactions of their own, each writing one batch at a time,
 * and commits them all only once every batch is written; any failure rolls every one of them
 * back. A pair's rows may land in different transactions, so until the commits (or after a
 * failure between two commits, a very narrow window) its level and ledger are only consistent
 * together — which is why this mode is meant for bulk loads, not for pairs receiving live events.
 */
export async function writeInParallel(
  knex: Knex,
  batches: Iterable<{ batch: HistoryBatch; rows: TransactionColumns }>,
  connections: number,
  onProgress?: (progress: WriteProgress) => void,
): Promise<WriteProgress> {
  const progress: WriteProgress = { rows: 0, pairs: 0 };
  const writers: Knex.Transaction[] = [];
  try {
    for (let i = 0; i < connections; i++) {
      const trx = await knex.transaction();
      writers.push(trx);
      await skipForeignKeyChecks(trx);
    }
    const busy = new Map<number, Promise<number>>();
    for (const { batch, rows } of batches) {
      let slot = writers.findIndex((_, i) => !busy.has(i));
      if (slot < 0) slot = await Promise.race(busy.values());
      busy.delete(slot);
      const writer = slot;
      // A batch holds every event of its orders (HistoryBatch.fulfilment): two open transactions
      // never upsert the same order, which would wait for a commit that comes only at the end.
      const write = writeBatch(writers[writer]!, rows, batch.levels, progress)
        .then(() => writeFulfilment(writers[writer]!, batch.fulfilment, progress))
        .then(() => {
          onProgress?.({ ...progress });
          return writer;
        });
      // Awaited through `busy`; the no-op handler only stops Node from reporting a failure as
      // unhandled while the next batch is being generated.
      write.catch(() => undefined);
      busy.set(writer, write);
    }
    await Promise.all(busy.values());
    for (const trx of writers) {
      await trx.commit();
      // knex resolves commit() even when PostgreSQL refuses the COMMIT; the outcome is here.
      await trx.executionPromise;
    }
    return progress;
  } catch (err) {
    await Promise.all(
      writers.map((trx) => (trx.isCompleted() ? undefined : trx.rollback().catch(() => undefined))),
    );
    throw err;
  }
}
