/**
 * Transaction history: a day-by-day simulation of every (sku, warehouse) pair over [from, to),
 * one SKU at a time (the warehouses of a SKU interact through transfers). Each SKU draws from its
 * own random stream, so the history is deterministic for a seed and independent of batch size.
 */
import { InvalidInputError } from '../../platform/index.js';
import type { MasterData, Product } from './master.js';
import { Injector, planIngestionGaps, type Hook } from './incidents.js';
import type { IncidentLabel } from './labels.js';
import { placeOrder, type OrderRow } from './orders.js';
import type { FulfilmentEvent } from '../fulfilment/index.js';
import { FulfilmentFeed, ledgerFact } from './fulfilmentFeed.js';
import { Pair, type LevelRow, type PairContext, type Plan, type Site, type TransactionRow } from './pair.js';
import { Rng } from './random.js';
import {
  dayShape,
  lineUnits,
  seasonPosition,
  seasonality,
  stockPolicy,
  TRANSFER_CHANCE,
  weekdayWeight,
  writeOffUnits,
  type SeasonPosition,
} from './shape.js';
import { DAY_MS, ZoneClock, dayIndex, weekday } from './zone.js';

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

/** Chance per pair and open day of a cycle-count adjustment. */
const ADJUSTMENT_CHANCE = 0.04;
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
  const feed =
    (options.fulfilment ?? true) ? new FulfilmentFeed(new Rng(seed, 'fulfilment'), options) : undefined;
  /** The feed's events of the SKUs finished so far that happen inside the window. */
  let fulfilment: FulfilmentEvent[] = [];

  for (let index = 0; index < options.master.products.length; index++) {
    const product = options.master.products[index]!;
    const rng = new Rng(seed, 'history', index);
    let injector: Injector | undefined;
    const ctx: PairContext = {
      rng,
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
  if (rows.length > 0 || levels.length > 0 || labels.length > 0 || orders.length > 0 || fulfilment.length > 0)
    yield { transactions: rows, levels, labels, orders, fulfilment };
}

/** One local day of one pair: scheduled arrivals and fulfilments plus the day's new demand, in time order. */
function simulateDay(ctx: PairContext, pair: Pair, k: number, scale: number, injector: Injector): void {
  const { rng } = ctx;
  const { site, product } = pair;
  const day = site.firstDay + k;
  const activity = site.activity[k]!;
  const waiting = pair.scheduled.get(k);
  if (waiting) pair.scheduled.delete(k);
  const dayStart = day * DAY_MS;
  const at = () => {
    const hour = rng.weighted(site.shape.cumulative);
    const [lo, hi] = site.shape.open[hour]!;
    return site.clock.toUtc(dayStart + Math.floor((lo + rng.next() * (hi - lo)) * 1000));
  };
  if (activity === 0) {
    // Closed today: deliveries, returns and pickings wait for the next open day.
    if (waiting) for (const plan of waiting) ctx.schedule(pair, k + 1, plan);
    // Only an injected incident happens on a closed day (weekend activity).
    run(ctx, pair, k, injector.steps(ctx, pair, k, false, at), injector);
    return;
  }
  const plans: Array<Plan | Hook> = injector.steps(ctx, pair, k, true, at);
  if (waiting) for (const plan of waiting) plans.push({ ...plan, at: at() } as Plan);

  const d = product.demand;
  // Day-to-day noise (weather, promotions) on top of the weekly and yearly shape.
  const noise = Math.exp(0.25 * rng.normal() - 0.03) * (rng.chance(0.01) ? rng.uniform(2, 3) : 1);
  const growth = 1 + (d.growthPerYear * k) / 365;
  const lambda =
    d.salesPerDay *
    site.warehouse.demandFactor *
    scale *
    activity *
    seasonality(product, site.season[k]!) *
    growth *
    noise;
  const lines = rng.poisson(lambda);
  for (let i = 0; i < lines; i++) {
    const kind = rng.chance(d.reservationRate) ? 'RESERVE' : 'SALE';
    plans.push({
      kind,
      quantity: lineUnits(rng, d.unitsPerSale),
      at: at(),
      reference: `ORDER-${rng.int(10_000_000, 99_999_999)}`,
    });
  }
  if (rng.chance(ADJUSTMENT_CHANCE)) {
    const quantity = -writeOffUnits(rng);
    plans.push({ kind: 'ADJUST', quantity, at: at(), reference: `COUNT-${rng.int(100_000, 999_999)}` });
  }
  run(ctx, pair, k, plans, injector);
}

/** Carries out a day's plans and incident steps in time order, the injector watching each change. */
function run(ctx: PairContext, pair: Pair, k: number, plans: Array<Plan | Hook>, injector: Injector): void {
  plans.sort((a, b) => a.at - b.at);
  for (const plan of plans) {
    if (plan.kind === 'HOOK') plan.run();
    else if (!injector.intercept(pair, plan, k)) pair.apply(ctx, plan, k);
    injector.watch(pair, k);
  }
}

/**
 * End-of-day replenishment: a pair whose inventory position (available + on order) is at or
 * below its reorder point orders its lots from its supplier, arriving after the lead time, or
 * sometimes takes one lot from a sister warehouse with plenty of spare stock: two lots above its
 * own reorder point, and three times the lot on hand, so a transfer never empties a warehouse
 * (RAPID_DEPLETION, SPEC §7). If one lot is not enough, the rest is ordered later. Reorder points
 * and order sizes follow the forecast for the lead time ahead (season and trend), as a planner's
 * would, so stock does not run thin every spring.
 */
function replenish(ctx: PairContext, pairs: Pair[], k: number, scale: number): void {
  const { rng } = ctx;
  const policies = pairs.map((pair) => {
    const { product, site } = pair;
    const ahead = Math.min(k + product.lead_time_days, site.season.length - 1);
    const outlook =
      seasonality(product, site.season[ahead]!) * (1 + (product.demand.growthPerYear * ahead) / 365);
    return stockPolicy(product, site.warehouse, scale, pair.policy.fraction, outlook);
  });
  const spare = (i: number) => pairs[i]!.available - policies[i]!.reorderPoint;
  pairs.forEach((pair, i) => {
    const policy = policies[i]!;
    if (pair.available + pair.onOrder > policy.reorderPoint) return;
    const { lot, lotsPerOrder } = policy;
    let donor = -1;
    for (let j = 0; j < pairs.length; j++) {
      if (j === i || spare(j) < 2 * lot || pairs[j]!.available < 3 * lot) continue;
      if (donor < 0 || spare(j) > spare(donor)) donor = j;
    }
    if (donor >= 0 && rng.chance(TRANSFER_CHANCE)) {
      pair.onOrder += lot;
      const from = pairs[donor]!;
      const reference = `TRF-${rng.int(100_000, 999_999)}`;
      const order = placeOrder(pair, k, ctx.toMs, { reference, quantity: lot, source: from });
      if (order) ctx.order?.(order);
      const transfer = { from, to: pair, planned: lot, reference, order };
      ctx.schedule(from, k + 1, {
        kind: 'TRANSFER_OUT',
        quantity: lot,
        reference: transfer.reference,
        transfer,
      });
      return;
    }
    pair.onOrder += lot * lotsPerOrder;
    const arrival = k + Math.max(1, pair.product.lead_time_days + rng.int(-1, 2));
    const reference = `PO-${rng.int(100_000, 999_999)}`;
    const order = placeOrder(pair, k, ctx.toMs, {
      reference,
      quantity: lot * lotsPerOrder,
      arrivalDay: arrival,
    });
    if (order) ctx.order?.(order);
    // One receipt per lot, at its own time of the arrival day.
    for (let n = 0; n < lotsPerOrder; n++)
      ctx.schedule(pair, arrival, { kind: 'RESTOCK', quantity: lot, reference });
  });
}
