/**
 * Writing generated data to the warehouse: master data, the ledger in bulk, and levels.
 */
import { InvalidInputError, type Knex } from '../../platform/index.js';
import {
  analyzeLoadedTables,
  deleteIncidentLabels,
  deletePairLedger,
  deletePurchaseOrders,
  insertIncidentLabels,
  insertOpeningStock,
  insertPurchaseOrders,
  loadLevels,
  skipForeignKeyChecks,
  upsertProducts,
  upsertWarehouses,
  type CurrentLevel,
  type TransactionColumns,
} from './store/index.js';
import { estimateHistoryRows, generateHistory, type HistoryBatch } from './history.js';
import { countLabels, type IncidentLabel, type IncidentType } from './labels.js';
import { generateMasterData, type MasterData, type MasterDataOptions } from './master.js';
import type { TransactionRow } from './pair.js';
import { Rng } from './random.js';
import type { OrderRow } from './orders.js';
import { stockPolicy } from './shape.js';
import { DAY_MS, HOUR_MS } from './zone.js';
import { writeBatch, writeFulfilment, writeInParallel, type WriteProgress } from './parallel.js';
import { deletePairFulfilment } from '../fulfilment/index.js';

export type { WriteProgress };

/** Upserts products and warehouses (idempotent: rerunning changes nothing). */
export async function writeMasterData(knex: Knex, master: MasterData): Promise<void> {
  await upsertProducts(knex, master.products);
  await upsertWarehouses(knex, master.warehouses);
}

function columns(rows: readonly TransactionRow[]): TransactionColumns {
  const n = rows.length;
  const out: TransactionColumns = {
    eventId: new Array<string>(n),
    sku: new Array<string>(n),
    warehouseId: new Array<string>(n),
    eventType: new Array<string>(n),
    quantityChange: new Array<number>(n),
    occurredAtMs: new Array<number>(n),
    referenceId: new Array<string | null>(n),
    notes: new Array<string | null>(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    out.eventId[i] = r.event_id;
    out.sku[i] = r.sku;
    out.warehouseId[i] = r.warehouse_id;
    out.eventType[i] = r.event_type;
    out.quantityChange[i] = r.quantity_change;
    out.occurredAtMs[i] = r.occurred_at.getTime();
    out.referenceId[i] = r.reference_id;
    out.notes[i] = r.notes;
  }
  return out;
}

/**
 * Appends generated batches to the ledger and sets the levels they end with. Pass a transaction
 * to make it all-or-nothing. The next batch is generated while the previous one is being
 * written, so the CPU work and PostgreSQL's work overlap.
 */
export async function writeHistory(
  knex: Knex,
  batches: Iterable<HistoryBatch>,
  onProgress?: (progress: WriteProgress) => void,
): Promise<WriteProgress> {
  const progress: WriteProgress = { rows: 0, pairs: 0 };
  let inFlight: Promise<void> | undefined;
  for (const batch of batches) {
    const rows = columns(batch.transactions);
    await inFlight;
    const write = writeBatch(knex, rows, batch.levels, progress)
      .then(() => writeFulfilment(knex, batch.fulfilment, progress))
      .then(() => onProgress?.({ ...progress }));
    // Awaited on the next turn of the loop; the no-op handler only stops Node from reporting a
    // failure as unhandled while the next batch is being generated.
    write.catch(() => undefined);
    inFlight = write;
  }
  await inFlight;
  return progress;
}

export interface GenerateToPostgresOptions extends MasterDataOptions {
  /** Days of history ending at `to`. @defaultValue 30 */
  days?: number;
  /** End of the history (exclusive). @defaultValue the start of the current UTC hour */
  to?: Date | string | number;
  /** Start of the history; overrides `days`. */
  from?: Date | string | number;
  /** Multiplies every SKU's sale rate. @defaultValue 1 */
  scale?: number;
  /** Aim for about this many transactions (sets `scale`). */
  targetRows?: number;
  /** Labelled incidents per pair (and type) per 30 days; see `HistoryOptions.injectAnomalies`. @defaultValue 0 */
  injectAnomalies?: number;
  /** Also write the order, shipment and audit streams (`HistoryOptions.fulfilment`). @defaultValue true */
  fulfilment?: boolean;
  /** Transactions per INSERT statement. @defaultValue 10000 */
  batchSize?: number;
  /**
   * PostgreSQL connections writing at once. 1 writes everything in one transaction. More spread
   * the index maintenance over several backends for big loads: the old ledger and levels of the
   * pairs are deleted (and committed) first, then the writers commit together at the end, so the
   * pairs are briefly empty and a failure leaves them empty rather than half-written. The knex
   * pool needs this many connections. @defaultValue 1
   */
  connections?: number;
}

export interface GenerateSummary {
  products: number;
  warehouses: number;
  pairs: number;
  /** Transactions written. */
  rows: number;
  /** Ledger rows of the same pairs that the new history replaced. */
  replaced: number;
  /** Labels written to inventory.incident_labels, per type. */
  labels: Record<IncidentType, number>;
  /** Replenishment orders (purchases and transfers) written to inventory.purchase_orders. */
  orders: number;
  /** Order, shipment and audit events written (inventory/fulfilment), with their projections. */
  fulfilment_events: number;
  from: string;
  to: string;
  seconds: number;
  rows_per_s: number;
}

/** The [from, to) window the options describe. */
export function historyWindow(options: Pick<GenerateToPostgresOptions, 'days' | 'from' | 'to'>): {
  from: Date;
  to: Date;
} {
  const to =
    options.to === undefined ? new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS) : new Date(options.to);
  const from =
    options.from === undefined
      ? new Date(to.getTime() - (options.days ?? 30) * DAY_MS)
      : new Date(options.from);
  return { from, to };
}

/**
 * Writes master data, a generated history and the resulting levels in one transaction.
 *
 * Rerunning replaces rather than appends: the ledger of every generated (sku, warehouse) pair is
 * deleted and written again, and its level set to the new history's end. So a rerun with the
 * same seed and window leaves identical rows, and a rerun with other options never double-counts
 * (events ingested for those pairs since, e.g. by the streaming sidecar, are replaced too).
 * Products, warehouses and pairs outside the generated set are left alone.
 */
export async function generateToPostgres(
  knex: Knex,
  options: GenerateToPostgresOptions = {},
  onProgress?: (progress: WriteProgress & { estimatedRows: number }) => void,
): Promise<GenerateSummary> {
  const started = performance.now();
  const seed = options.seed ?? 42;
  const master = generateMasterData(options);
  const { from, to } = historyWindow(options);
  const historyOptions = {
    seed,
    master,
    from,
    to,
    ...(options.scale === undefined ? {} : { scale: options.scale }),
    ...(options.targetRows === undefined ? {} : { targetRows: options.targetRows }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.injectAnomalies === undefined ? {} : { injectAnomalies: options.injectAnomalies }),
    ...(options.fulfilment === undefined ? {} : { fulfilment: options.fulfilment }),
  };
  const labels: IncidentLabel[] = [];
  const orders: OrderRow[] = [];
  // The labels and orders of each batch, collected as the batches go by and written after the
  // ledger (a transfer order is cancelled while a later batch is generated).
  const history = function* () {
    for (const batch of generateHistory(historyOptions)) {
      labels.push(...batch.labels);
      orders.push(...batch.orders);
      yield batch;
    }
  };
  const estimatedRows = estimateHistoryRows(historyOptions);
  onProgress?.({ rows: 0, pairs: 0, estimatedRows });
  const skus = master.products.map((p) => p.sku);
  const warehouseIds = master.warehouses.map((w) => w.warehouse_id);
  const connections = options.connections ?? 1;
  if (!(Number.isInteger(connections) && connections >= 1)) {
    throw new InvalidInputError(`connections must be a whole number from 1 (got ${connections})`);
  }
  const progress = (p: WriteProgress) => onProgress?.({ ...p, estimatedRows });
  let rows: number;
  let replaced: number;
  let fulfilment: number;
  if (connections === 1) {
    ({ rows, replaced, fulfilment } = await knex.transaction(async (trx) => {
      await writeMasterData(trx, master);
      // Every row refers to the products and warehouses written just above, so the per-row
      // foreign-key triggers (a large part of the insert cost) can be skipped when the role allows it.
      await skipForeignKeyChecks(trx);
      const replaced = await deletePairLedger(trx, skus, warehouseIds);
      await deleteIncidentLabels(trx, skus, warehouseIds);
      await deletePurchaseOrders(trx, skus, warehouseIds);
      await deletePairFulfilment(trx, skus, warehouseIds);
      const written = await writeHistory(trx, history(), progress);
      await insertIncidentLabels(trx, labels);
      await insertPurchaseOrders(trx, orders);
      return { rows: written.rows, replaced, fulfilment: written.fulfilment ?? 0 };
    }));
  } else {
    replaced = await knex.transaction(async (trx) => {
      await writeMasterData(trx, master);
      await deleteIncidentLabels(trx, skus, warehouseIds);
      await deletePurchaseOrders(trx, skus, warehouseIds);
      await deletePairFulfilment(trx, skus, warehouseIds);
      return deletePairLedger(trx, skus, warehouseIds, { levels: true });
    });
    const batches = (function* () {
      for (const batch of history()) yield { batch, rows: columns(batch.transactions) };
    })();
    const written = await writeInParallel(knex, batches, connections, progress);
    ({ rows } = written);
    fulfilment = written.fulfilment ?? 0;
    await insertIncidentLabels(knex, labels);
    await insertPurchaseOrders(knex, orders);
  }
  // Fresh statistics, so the first queries over a large new ledger get sensible plans.
  await analyzeLoadedTables(knex);
  const seconds = (performance.now() - started) / 1000;
  return {
    products: master.products.length,
    warehouses: master.warehouses.length,
    pairs: skus.length * warehouseIds.length,
    rows,
    replaced,
    labels: countLabels(labels),
    orders: orders.length,
    fulfilment_events: fulfilment,
    from: from.toISOString(),
    to: to.toISOString(),
    seconds,
    rows_per_s: seconds > 0 ? rows / seconds : 0,
  };
}

/**
 * Makes sure every pair of `master` has stock to sell from before live events flow: pairs without
 * a level get an opening stock count (ledger row + level). Returns how many pairs were opened and
 * the current level of every pair.
 */
export async function ensureOpeningStock(
  knex: Knex,
  master: MasterData,
  options: { seed?: number; at?: Date } = {},
): Promise<{ opened: number; levels: CurrentLevel[] }> {
  const seed = options.seed ?? 42;
  const openings = master.products.flatMap((product) =>
    master.warehouses.map((warehouse) => {
      const rng = new Rng(seed, 'opening', product.sku, warehouse.warehouse_id);
      const policy = stockPolicy(product, warehouse, 1, rng.next());
      return {
        eventId: rng.uuid(),
        sku: product.sku,
        warehouseId: warehouse.warehouse_id,
        quantity: policy.openingStock,
        reorderPoint: policy.reorderPoint,
        safetyStock: policy.safetyStock,
      };
    }),
  );
  const opened = await insertOpeningStock(knex, openings, options.at ?? new Date());
  const levels = await loadLevels(
    knex,
    master.products.map((p) => p.sku),
    master.warehouses.map((w) => w.warehouse_id),
  );
  return { opened, levels };
}
