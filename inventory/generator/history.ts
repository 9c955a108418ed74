/**
 * Transaction history: a day-by-day simulation of every (sku, warehouse) pair over [from, to),
 * one SKU at a time (the warehouses of a SKU interact through transfers). Each SKU draws from its
 * own random stream, so the history is deterministic for a seed and independent of batch size.
 */
import { InvalidInputError } from '../../platform/index.js';
import type { MasterData, Product } from './master.js';
import { Injector, planIngestionGaps } from './incidents.js';
import type { IncidentLabel } from './labels.js';
import type { OrderRow } from './orders.js';
import type { FulfilmentEvent } from '../fulfilment/index.js';
import { FulfilmentFeed, ledgerFact } from './fulfilmentFeed.js';
import { replenish, simulateDay } from './historyDay.js';
import { Pair, type LevelRow, type PairContext, type Site, type TransactionRow } from './pair.js';
import { planPickStoppages } from './pickStoppages.js';
import { Rng } from './random.js';
import {
  dayShape,
  seasonPosition,
  seasonality,
  stockPolicy,
  weekdayWeight,
  type SeasonPosition,
} from './shape.js';
import { ZoneClock, dayIndex, weekday } from './zone.js';

export interface HistoryOptions {
  /** @defaultValue 42 */
  seed?: number;
  master: MasterData;
  /** Start of the window (inclusive): every pair opens with a stock count at this instant. */
  from: Date | string | number;
  /** End of the window (exclusive). */
  to: Date | string | number;
  /** Transactions per batch (the last batch may be smaller, a batch may run over by one SKU-day). @defaultValue 10000 */
  batchSize?: number;
  /** Multiplies every SKU's sale rate; 1 is the demo volume. @defaultValue 1 */
  scale?: number;
  /** Aim for about this many transactions in total (within ~10 %); sets `scale`. */
  targetRows?: number;
  /**
   * Injects labelled incidents: about this many of each type per pair (per warehouse for
   * ingestion gaps) and 30 days, on the pairs that can have it (LABELS.md). 0 injects none; every
   * real stock-out is labelled either way. @defaultValue 0
   */
  injectAnomalies?: number;
  /**
   * Also derive the order, shipment and audit streams from the ledger as it is generated
   * (`FulfilmentFeed`); they draw from a random stream of their own. @defaultValue true
   */
  fulfilment?: boolean;
}

export interface HistoryBatch {
  transactions: TransactionRow[];
  /** Final levels of the pairs whose history ended in this batch (their rows are in it or earlier). */
  levels: LevelRow[];
  /** Labels of incidents in this batch's pairs (warehouse-wide ones in the first batch). */
  labels: IncidentLabel[];
  /**
   * Replenishment orders placed in this batch. A transfer's row may get its `cancelled_at` while a
   * later batch is generated, so write the orders once the whole history has been consumed.
   */
  orders: OrderRow[];
  /**
   * Order, shipment and audit events (in the window) of the SKUs finished before this batch was
   * cut: every event of an order is in one batch, so batches written by separate transactions
   * never touch the same order.
   */
  fulfilment: FulfilmentEvent[];
}

/**
 * Rows per expected sale line (returns, reservation round trips) and per open pair-day (restocks,
 * adjustments), fitted on generated data; used only to turn `targetRows` into a scale.
 */
const ROWS_PER_SALE_LINE = 1.12;
const ROWS_PER_PAIR_DAY = 0.085;

function toMs(value: Date | string | number, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidInputError(`${name} is not a valid time: ${String(value)}`);
  return ms;
}

interface Window {
  fromMs: number;
  toMs: number;
  sites: Site[];
  /** Number of simulation days: every site's local days touching the window. */
  days: number;
  /** Labels of the warehouse-wide incidents planned into `sites`. */
  labels: IncidentLabel[];
}

function window(options: HistoryOptions): Window {
  const fromMs = toMs(options.from, 'from');
  const toMsValue = toMs(options.to, 'to');
  if (toMsValue <= fromMs)
    throw new InvalidInputError('the history window is empty: `to` must be after `from`');
  const clocks = new Map<string, ZoneClock>();
  const located = options.master.warehouses.map((warehouse) => {
    let clock = clocks.get(warehouse.timezone);
    if (!clock) clocks.set(warehouse.timezone, (clock = new ZoneClock(warehouse.timezone)));
    return { warehouse, clock, firstDay: dayIndex(clock.wall(fromMs)) };
  });
  const days = Math.max(...located.map((s) => dayIndex(s.clock.wall(toMsValue - 1)) - s.firstDay + 1));
  // Calendar facts per site and day, computed once instead of once per pair and day.
  const sites = located.map(({ warehouse, clock, firstDay }): Site => {
    const shape = dayShape(warehouse);
    const activity = new Float64Array(days);
    const season: SeasonPosition[] = [];
    for (let k = 0; k < days; k++) {
      activity[k] = weekdayWeight(warehouse, weekday(firstDay + k)) * shape.dayWeight;
      season.push(seasonPosition(firstDay + k));
    }
    return { warehouse, clock, shape, firstDay, activity, season };
  });
  const rate = options.injectAnomalies ?? 0;
  if (!(rate >= 0)) throw new InvalidInputError(`injectAnomalies must be 0 or more (got ${rate})`);
  const labels = rate > 0 ? planIngestionGaps(options.seed ?? 42, rate, sites, days) : [];
  if (rate > 0) planPickStoppages(options.seed ?? 42, rate, sites, days);
  return { fromMs, toMs: toMsValue, sites, days, labels };
}

/** Expected sale lines of one product at scale 1, and the number of open pair-days. */
function expectation(product: Product, w: Window): { saleLines: number; openPairDays: number } {
  let saleLines = 0;
  let openPairDays = 0;
  for (const site of w.sites) {
    for (let k = 0; k < w.days; k++) {
      const activity = site.activity[k]!;
      if (activity === 0) continue;
      openPairDays++;
      const growth = 1 + (product.demand.growthPerYear * k) / 365;
      saleLines +=
        product.demand.salesPerDay *
        site.warehouse.demandFactor *
        activity *
        seasonality(product, site.season[k]!) *
        growth;
    }
  }
  return { saleLines, openPairDays };
}

/**
 * About how many transactions `generateHistory` will produce with these options (for progress
 * bars and for `targetRows`). Sampled over at most 200 SKUs, so it is cheap for any catalogue.
 */
export function estimateHistoryRows(options: HistoryOptions): number {
  const w = window(options);
  return Math.round(estimateAtScale(options.master.products, w, resolveScale(options, w)));
}

function estimateAtScale(products: Product[], w: Window, scale: number): number {
  const { saleLines, openPairDays } = sampledExpectation(products, w);
  return (
    saleLines * scale * ROWS_PER_SALE_LINE +
    openPairDays * ROWS_PER_PAIR_DAY +
    products.length * w.sites.length
  );
}

function sampledExpectation(products: Product[], w: Window): { saleLines: number; openPairDays: number } {
  const step = Math.max(1, Math.floor(products.length / 200));
  let saleLines = 0;
  let openPairDays = 0;
  let sampled = 0;
  for (let i = 0; i < products.length; i += step) {
    const e = expectation(products[i]!, w);
    saleLines += e.saleLines;
    openPairDays += e.openPairDays;
    sampled++;
  }
  const factor = products.length / sampled;
  return { saleLines: saleLines * factor, openPairDays: openPairDays * factor };
}

function resolveScale(options: HistoryOptions, w: Window): number {
  if (options.targetRows === undefined) {
    const scale = options.scale ?? 1;
    if (!(scale > 0)) throw new InvalidInputError(`scale must be positive (got ${scale})`);
    return scale;
  }
  const { saleLines, openPairDays } = sampledExpectation(options.master.products, w);
  const fixed = openPairDays * ROWS_PER_PAIR_DAY + options.master.products.length * w.sites.length;
  // Below the fixed part (openings, restocks, counts) demand shrinks to a trickle rather than zero.
  return Math.max(0.01, (options.targetRows - fixed) / (saleLines * ROWS_PER_SALE_LINE));
}

/**
 * Generates the ledger in batches. Iterate it once; each batch is built while you consume the
 * previous one, so memory stays at about one batch whatever the size of the history.
 */
export function* generateHistory(options: HistoryOptions): Generator<HistoryBatch, void, undefined> {
  const seed = options.seed ?? 42;
  const batchSize = options.batchSize ?? 10_000;
  const w = window(options);
  const scale = resolveScale(options, w);
  const rate = options.injectAnomalies ?? 0;
  let rows: TransactionRow[] = [];
  let levels: LevelRow[] = [];
  let labels: IncidentLabel[] = w.labels.filter((l) => l.start.getTime() < w.toMs);
  let orders: OrderRow[] = [];
  // Labels of the feed (late dispatches, exceptions, night edits) join the batch being built:
  // those that start inside the window, without an end the window does not hold.
  const feedLabel = (l: IncidentLabel) => {
    if (l.start.getTime() < w.toMs) labels.push(l.end && l.end.getTime() >= w.toMs ? { ...l, end: null } : l);
  };
  const feed =
    (options.fulfilment ?? true)
      ? new FulfilmentFeed(new Rng(seed, 'fulfilment'), {
          master: options.master,
          incidents: { seed, rate, onLabel: feedLabel },
        })
      : undefined;
  /** The feed's events of the SKUs finished so far that happen inside the window. */
  let fulfilment: FulfilmentEvent[] = [];

  for (let index = 0; index < options.master.products.length; index++) {
    const product = options.master.products[index]!;
    const rng = new Rng(seed, 'history', index);
    let injector: Injector | undefined;
    let orderLines = 0;
    const ctx: PairContext = {
      rng,
      // A random-looking number as before (the same draw), made unique by the SKU and a count:
      // 8 random digits alone repeat after some ten thousand lines (a birthday collision), and a
      // repeated order id would be a reservation without its own order line.
      orderReference: () =>
        `ORDER-${rng.int(10_000_000, 99_999_999)}-${product.sku}-${(++orderLines).toString(36).toUpperCase()}`,
      fromMs: w.fromMs,
      toMs: w.toMs,
      schedule(pair, day, plan) {
        const list = pair.scheduled.get(day);
        if (list) list.push(plan);
        else pair.scheduled.set(day, [plan]);
      },
      emit: (row) => {
        rows.push(row);
        injector?.seen(row);
        feed?.observe(ledgerFact(row));
      },
      order: (row) => orders.push(row),
      ...(feed
        ? {
            nightEdit: (pair: Pair, at: number) =>
              feed.nightEdit({ sku: pair.product.sku, warehouseId: pair.warehouseId, at }),
          }
        : {}),
      lostLine: (pair, plan) => {
        const at = Math.floor(plan.at);
        if (at >= w.fromMs && at < w.toMs)
          feed?.lostLine({
            sku: pair.product.sku,
            warehouseId: pair.warehouseId,
            quantity: plan.quantity,
            at,
            reference: plan.reference,
          });
      },
    };
    const pairs = w.sites.map(
      (site) => new Pair(product, site, stockPolicy(product, site.warehouse, scale, rng.next())),
    );
    // Every real stock-out gets a label, so the watcher runs even when nothing is injected.
    injector = new Injector(seed, rate, index, pairs, w.days, labels);
    for (const pair of pairs) pair.open(ctx);

    for (let k = 0; k < w.days; k++) {
      for (const pair of pairs) simulateDay(ctx, pair, k, scale, injector);
      replenish(ctx, pairs, k, scale);
      if (rows.length >= batchSize) {
        yield { transactions: rows, levels, labels, orders, fulfilment };
        rows = [];
        levels = [];
        labels = [];
        orders = [];
        fulfilment = [];
        injector.redirect(labels);
      }
    }
    injector.finish(pairs);
    for (const pair of pairs) levels.push(pair.level());
    // The SKU's orders are complete (orders have one SKU): what happens after the window did not.
    for (const e of feed?.drain(Infinity) ?? []) if (e.occurredAt.getTime() < w.toMs) fulfilment.push(e);
  }
  // Orders still open at the end whose promise has passed are late with no dispatch in the data.
  feed?.finish(w.toMs);
  if (rows.length > 0 || levels.length > 0 || labels.length > 0 || orders.length > 0 || fulfilment.length > 0)
    yield { transactions: rows, levels, labels, orders, fulfilment };
}
