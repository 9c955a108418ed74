import type { Knex } from 'knex';
import { bind } from '../../db/index.js';
import { copyLedger } from './copyLedger.js';
import type { LedgerEvent } from './ledgerEvent.js';
import { pairId } from './loadPairHistory.js';
import { PREPARED } from './prepared.js';

/** What a COPY fails with on an id the ledger holds, or (with triggers on) a missing product. */
const FALLBACK_ERRORS = new Set(['23505', '23503']);
/**
 * Smaller batches take the one-statement insert: the COPY path costs two more round trips (the
 * COPY's data, the levels), which only pay off when they are spread over many rows.
 */
const COPY_MIN_EVENTS = 100;

/** Adds a row of deltas to the stored level (the conflict arm of both level writes). */
const LEVELS_ON_CONFLICT = `ON CONFLICT (sku, warehouse_id) DO UPDATE
         SET quantity_on_hand = l.quantity_on_hand + excluded.quantity_on_hand,
             quantity_reserved = l.quantity_reserved + excluded.quantity_reserved,
             last_event_at = greatest(l.last_event_at, excluded.last_event_at),
             updated_at = now()
       RETURNING sku, warehouse_id, quantity_on_hand, quantity_reserved`;

export interface AppliedEvents {
  /**
   * Ids the statement did not insert because the ledger already held them (a redelivery). An id
   * used twice in the batch is inserted once, from its first event, and not listed: the caller
   * tells the repeat apart. Every other event that is not an orphan was inserted. Listing the few
   * skipped ids instead of the many inserted ones keeps the reply small in the normal case.
   */
  skippedIds: Set<string>;
  /** The level of every pair that changed, after the change. */
  levels: Array<{ sku: string; warehouseId: string; onHand: number; reserved: number }>;
  /**
   * Events not written because their SKU or warehouse is not (or no longer) in PostgreSQL, with
   * which one is missing. The caller checked both against its master-data cache just before, so
   * this only happens when a product or warehouse was deleted since.
   */
  orphans: Map<string, 'sku' | 'warehouse'>;
  /** How the rows went in: one binary COPY, or the row-by-row insert (small batch or fallback). */
  written: 'copy' | 'insert';
}

/**
 * Writes a batch of events to the ledger and moves the stock levels by exactly the rows that were
 * new. Reservation types move `quantity_reserved`, every other type `quantity_on_hand`; neither is
 * bounded below (a valid event is a fact). `sourcePartition` is the Kafka partition that delivered
 * the batch (NULL for other writers). Must run inside the caller's transaction, which also stores
 * the consumer offsets.
 *
 * The usual batch holds only ids the ledger has never seen (offsets stored with the rows mean a
 * restart does not redeliver), so one of at least `copyMinEvents` goes in with one binary COPY
 * under a savepoint, and the levels move by the batch's own sums. A batch that repeats an id, or
 * names a product or warehouse that is gone, rolls back to the savepoint and takes `insertEvents`,
 * which sorts out every row. The savepoint is set in the COPY's own message and never released:
 * nothing rolls back to it after the levels, and COMMIT commits it with the transaction, so
 * neither costs a round trip of its own.
 */
export async function applyEvents(
  trx: Knex.Transaction,
  events: readonly LedgerEvent[],
  reservationTypes: readonly string[],
  sourcePartition: number | null,
  copyMinEvents = COPY_MIN_EVENTS,
): Promise<AppliedEvents> {
  if (events.length === 0)
    return { skippedIds: new Set(), levels: [], orphans: new Map(), written: 'insert' };
  if (events.length < copyMinEvents) return insertEvents(trx, events, reservationTypes, sourcePartition);
  const levels = await copyLedger(trx, events, sourcePartition, 'apply_events').then(
    () => addToLevels(trx, events, reservationTypes),
    (error: { code?: string }) => {
      if (!FALLBACK_ERRORS.has(error.code ?? '')) throw error;
      return undefined;
    },
  );
  if (!levels) {
    await trx.raw('ROLLBACK TO SAVEPOINT apply_events');
    return insertEvents(trx, events, reservationTypes, sourcePartition);
  }
  return { skippedIds: new Set(), levels, orphans: new Map(), written: 'copy' };
}

/**
 * Adds the sums of events that were all inserted to their pairs' levels, after the foreign-key
 * check the COPY skipped: the products and warehouses are share-locked once each (a concurrent
 * delete waits). Undefined, with nothing changed, when one of them is missing.
 */
async function addToLevels(
  trx: Knex.Transaction,
  events: readonly LedgerEvent[],
  reservationTypes: readonly string[],
): Promise<AppliedEvents['levels'] | undefined> {
  const reserving = new Set(reservationTypes);
  const deltas = new Map<string, { s: string; w: string; h: number; r: number; t: number }>();
  for (const e of events) {
    const key = pairId(e.sku, e.warehouseId);
    let d = deltas.get(key);
    const t = e.occurredAt.getTime();
    if (!d) deltas.set(key, (d = { s: e.sku, w: e.warehouseId, h: 0, r: 0, t }));
    if (reserving.has(e.eventType)) d.r += e.quantityChange;
    else d.h += e.quantityChange;
    if (t > d.t) d.t = t;
  }
  const skus = [...new Set(events.map((e) => e.sku))];
  const warehouses = [...new Set(events.map((e) => e.warehouseId))];
  const { rows } = await trx
    .raw<{
      rows: Array<{ sku: string | null; warehouse_id: string | null; on_hand: number; reserved: number }>;
    }>(
      // `IN (SELECT unnest(…))`, not `= ANY(…)`: the prepared plan tested every product against
      // every SKU of the chunk (a scan with the array as a filter), twice the CPU at 100 SKUs.
      `WITH products AS (
       SELECT sku FROM inventory.products WHERE sku IN (SELECT unnest(?::text[])) FOR KEY SHARE
     ), warehouses AS (
       SELECT warehouse_id FROM inventory.warehouses
        WHERE warehouse_id IN (SELECT unnest(?::text[])) FOR KEY SHARE
     ), complete AS (
       SELECT (SELECT count(*) FROM products) = ? AND (SELECT count(*) FROM warehouses) = ? AS ok
     ), levels AS (
       INSERT INTO inventory.inventory_levels AS l
         (sku, warehouse_id, quantity_on_hand, quantity_reserved, last_event_at, updated_at)
       SELECT s, w, h, r, timestamptz 'epoch' + t * interval '1 millisecond', now()
         FROM json_to_recordset(?::json) AS d(s text, w text, h int, r int, t bigint)
        WHERE (SELECT ok FROM complete)
       ${LEVELS_ON_CONFLICT}
     )
     SELECT sku, warehouse_id, quantity_on_hand AS on_hand, quantity_reserved AS reserved FROM levels
     UNION ALL
     SELECT NULL, NULL, 0, 0 WHERE NOT (SELECT ok FROM complete)`,
      bind(skus, warehouses, skus.length, warehouses.length, JSON.stringify([...deltas.values()])),
    )
    .options(PREPARED.add_to_levels);
  if (rows.some((r) => r.sku === null)) return undefined;
  return rows.map((r) => ({
    sku: r.sku!,
    warehouseId: r.warehouse_id!,
    onHand: r.on_hand,
    reserved: r.reserved,
  }));
}

/**
 * The row-by-row write: an id the ledger holds already (`inventory.ledger_event_ids`, whatever its
 * time and so whatever its monthly partition) is skipped, and so is a repeat inside the batch (its
 * first event is the one written); events whose product or warehouse is missing are left out and
 * reported, and the levels upsert reads only what the insert returned, so a redelivered event
 * never moves a level twice. `ON CONFLICT (event_id, occurred_at) DO NOTHING` covers a concurrent
 * writer of the same event; one that wrote the same id with another time makes the ledger's
 * event-id trigger fail the statement (23505), and the chunk is retried and finds it.
 */
async function insertEvents(
  trx: Knex.Transaction,
  events: readonly LedgerEvent[],
  reservationTypes: readonly string[],
  sourcePartition: number | null,
): Promise<AppliedEvents> {
  const { rows } = await trx
    .raw<{
      rows: Array<{
        kind: 'skipped' | 'level' | 'orphan_sku' | 'orphan_warehouse';
        id: string | null;
        sku: string | null;
        warehouse_id: string | null;
        on_hand: number;
        reserved: number;
      }>;
    }>(
      // Event times travel as epoch milliseconds: exact as a float8 product up to the year 2255,
      // and cheaper on both ends than ISO text (formatting every Date in JSON.stringify, parsing
      // every timestamp in PostgreSQL).
      `WITH input AS (
       SELECT i AS event_id, s AS sku, w AS warehouse_id, y AS event_type, q AS quantity_change,
              timestamptz 'epoch' + t * interval '1 millisecond' AS occurred_at, r AS reference_id,
              n AS notes, o AS ordinal
         FROM json_to_recordset(?::json)
           AS x(i uuid, s text, w text, y text, q int, t bigint, r text, n text, o int)
     ), products AS (
       -- The foreign-key check, once per referenced row instead of once per event: the same
       -- existence test and the same KEY SHARE lock (a concurrent delete of the product waits).
       SELECT sku FROM inventory.products WHERE sku IN (SELECT sku FROM input) FOR KEY SHARE
     ), warehouses AS (
       SELECT warehouse_id FROM inventory.warehouses
        WHERE warehouse_id IN (SELECT warehouse_id FROM input) FOR KEY SHARE
     ), fresh AS (
       SELECT DISTINCT ON (event_id) * FROM input
        WHERE sku IN (SELECT sku FROM products) AND warehouse_id IN (SELECT warehouse_id FROM warehouses)
          AND NOT EXISTS (SELECT 1 FROM inventory.ledger_event_ids e WHERE e.event_id = input.event_id)
        ORDER BY event_id, ordinal
     ), inserted AS (
       INSERT INTO inventory.inventory_transactions
         (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes,
          source_partition)
       SELECT event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes,
              ?::smallint
         FROM fresh
       ON CONFLICT (event_id, occurred_at) DO NOTHING
       RETURNING event_id, sku, warehouse_id, event_type, quantity_change, occurred_at
     ), deltas AS (
       SELECT sku, warehouse_id,
              sum(CASE WHEN event_type = ANY(?::text[]) THEN 0 ELSE quantity_change END)::int AS on_hand,
              sum(CASE WHEN event_type = ANY(?::text[]) THEN quantity_change ELSE 0 END)::int AS reserved,
              max(occurred_at) AS last_event_at
         FROM inserted
        GROUP BY sku, warehouse_id
     ), levels AS (
       INSERT INTO inventory.inventory_levels AS l
         (sku, warehouse_id, quantity_on_hand, quantity_reserved, last_event_at, updated_at)
       SELECT sku, warehouse_id, on_hand, reserved, last_event_at, now() FROM deltas
       ${LEVELS_ON_CONFLICT}
     )
     SELECT 'skipped' AS kind, event_id::text AS id, NULL AS sku, NULL AS warehouse_id, 0 AS on_hand,
            0 AS reserved
       FROM input
      WHERE sku IN (SELECT sku FROM products) AND warehouse_id IN (SELECT warehouse_id FROM warehouses)
        AND event_id NOT IN (SELECT event_id FROM inserted)
     UNION ALL
     SELECT 'level', NULL, sku, warehouse_id, quantity_on_hand, quantity_reserved FROM levels
     UNION ALL
     SELECT CASE WHEN sku IN (SELECT sku FROM products) THEN 'orphan_warehouse' ELSE 'orphan_sku' END,
            event_id::text, NULL, NULL, 0, 0
       FROM input
      WHERE sku NOT IN (SELECT sku FROM products) OR warehouse_id NOT IN (SELECT warehouse_id FROM warehouses)`,
      bind(
        // One JSON document instead of nine arrays: JSON.stringify is native and cheap, where the
        // driver escapes every array element in JS. Short keys and numbers keep it small.
        JSON.stringify(
          events.map((e, o) => ({
            o,
            i: e.eventId,
            s: e.sku,
            w: e.warehouseId,
            y: e.eventType,
            q: e.quantityChange,
            t: e.occurredAt.getTime(),
            r: e.referenceId,
            n: e.notes,
          })),
        ),
        sourcePartition,
        reservationTypes,
        reservationTypes,
      ),
    )
    .options(PREPARED.insert_events);
  const skippedIds = new Set<string>();
  const levels: AppliedEvents['levels'] = [];
  const orphans: AppliedEvents['orphans'] = new Map();
  for (const r of rows) {
    if (r.kind === 'skipped') skippedIds.add(r.id!);
    else if (r.kind === 'level') {
      levels.push({ sku: r.sku!, warehouseId: r.warehouse_id!, onHand: r.on_hand, reserved: r.reserved });
    } else orphans.set(r.id!, r.kind === 'orphan_sku' ? 'sku' : 'warehouse');
  }
  return { skippedIds, levels, orphans, written: 'insert' };
}
