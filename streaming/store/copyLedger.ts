import { finished } from 'node:stream/promises';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LedgerEvent } from './ledgerEvent.js';

const COPY_SQL = `COPY inventory.inventory_transactions
  (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes, source_partition)
  FROM STDIN (FORMAT binary)`;
const FIELDS = 9;
/** "PGCOPY\n\377\r\n\0", no flags, no header extension. */
const HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** PostgreSQL's timestamp epoch (2000-01-01 UTC) in Unix milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 4_294_967_296;
/** Strings up to this length are written without `Buffer.write` when they are ASCII. */
const SHORT_TEXT = 32;

/**
 * Appends events to the ledger with one binary `COPY`: no SQL text to parse, no per-value input
 * functions (uuid, timestamptz) and no speculative-insertion check before each index insert.
 * Unlike `INSERT … ON CONFLICT` it fails as a whole on an id the ledger already holds (SQLSTATE
 * 23505; 23503 too where the role keeps the foreign-key triggers and a product is missing), so the
 * caller runs it under a savepoint and falls back: `savepoint` names one to set first, in the same
 * message as the COPY (one round trip fewer). Runs in the caller's transaction.
 */
export async function copyLedger(
  trx: Knex.Transaction,
  events: readonly LedgerEvent[],
  sourcePartition: number | null,
  savepoint?: string,
): Promise<void> {
  // Inside a transaction knex hands out the transaction's own connection.
  const connection = (await trx.client.acquireConnection()) as PoolClient;
  const stream = connection.query(copyFrom(savepoint ? `SAVEPOINT ${savepoint}; ${COPY_SQL}` : COPY_SQL));
  stream.end(encodeRows(events, sourcePartition));
  await finished(stream);
}

/**
 * The rows in PostgreSQL's binary COPY format (header, tuples, trailer). Small functions without
 * closures, so V8 optimises each once: one function with the loops and a closure made per call
 * was optimised on the stack (OSR) at every chunk and thrown out again at the next.
 */
function encodeRows(events: readonly LedgerEvent[], sourcePartition: number | null): Buffer {
  const buf = Buffer.allocUnsafe(maxEncodedSize(events));
  let at = HEADER.copy(buf, 0);
  for (let i = 0; i < events.length; i++) at = writeRow(buf, at, events[i]!, sourcePartition);
  at = buf.writeInt16BE(-1, at);
  return buf.subarray(0, at);
}

/** Upper bound: fixed bytes per tuple plus 3 UTF-8 bytes per UTF-16 unit of every string. */
function maxEncodedSize(events: readonly LedgerEvent[]): number {
  let size = HEADER.length + 2;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    size += 2 + FIELDS * 4 + 16 + 4 + 8 + 2;
    size += 3 * (e.sku.length + e.warehouseId.length + e.eventType.length);
    size += 3 * ((e.referenceId?.length ?? 0) + (e.notes?.length ?? 0));
  }
  return size;
}

function writeRow(buf: Buffer, at: number, e: LedgerEvent, sourcePartition: number | null): number {
  at = buf.writeInt16BE(FIELDS, at);
  at = buf.writeInt32BE(16, at);
  at = writeUuid(buf, at, e.eventId);
  at = writeText(buf, at, e.sku);
  at = writeText(buf, at, e.warehouseId);
  at = writeText(buf, at, e.eventType);
  at = buf.writeInt32BE(4, at);
  at = buf.writeInt32BE(e.quantityChange, at);
  // timestamptz: microseconds since PG_EPOCH_MS, as a signed 64-bit integer (exact below 2^53).
  const micros = (e.occurredAt.getTime() - PG_EPOCH_MS) * 1000;
  const high = Math.floor(micros / TWO_32);
  at = buf.writeInt32BE(8, at);
  at = buf.writeInt32BE(high, at);
  at = buf.writeUInt32BE(micros - high * TWO_32, at);
  at = writeText(buf, at, e.referenceId);
  at = writeText(buf, at, e.notes);
  if (sourcePartition === null) return buf.writeInt32BE(-1, at);
  at = buf.writeInt32BE(2, at);
  return buf.writeInt16BE(sourcePartition, at);
}

/**
 * A text field: its UTF-8 length and bytes, or -1 for NULL. The short ASCII ids and types of a
 * ledger row are copied byte by byte, a third of the cost of `Buffer.write` for strings this short.
 */
function writeText(buf: Buffer, at: number, s: string | null): number {
  if (s === null) return buf.writeInt32BE(-1, at);
  const n = s.length;
  if (n <= SHORT_TEXT) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[at + 4 + i] = c;
    }
    if (i === n) {
      buf.writeInt32BE(n, at);
      return at + 4 + n;
    }
  }
  const bytes = buf.write(s, at + 4, 'utf8');
  buf.writeInt32BE(bytes, at);
  return at + 4 + bytes;
}

/** Writes the 16 bytes of a canonical (validated) UUID string. */
function writeUuid(buf: Buffer, at: number, uuid: string): number {
  for (let i = 0; i < uuid.length; i++) {
    const c = uuid.charCodeAt(i);
    if (c === 45) continue; // '-'
    const d = uuid.charCodeAt(++i);
    buf[at++] = (hex(c) << 4) | hex(d);
  }
  return at;
}

function hex(c: number): number {
  if (c <= 57) return c - 48; // 0-9
  return (c | 32) - 87; // a-f, A-F
}
