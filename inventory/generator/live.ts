/**
 * A live stream of inventory events in the SPEC §3 contract, for the Kafka path and for tests and
 * benchmarks of the streaming sidecar. Like the history, it keeps every pair's stock consistent:
 * starting from the given levels, no event takes on-hand below zero or reserved above on-hand
 * (as long as nothing else writes to the same pairs meanwhile).
 */
import { randomUUID } from 'node:crypto';
import { eventKey, type EventType, type InventoryEvent } from '../events/index.js';
import { InvalidInputError } from '../../platform/index.js';
import { Rng, cumulative } from './random.js';
import {
  TRANSFER_CHANCE,
  lineUnits,
  seasonPosition,
  seasonality,
  stockPolicy,
  writeOffUnits,
  type StockPolicy,
} from './shape.js';
import { DAY_MS } from './zone.js';
import { DueQueue } from './dueQueue.js';
import type { LiveLevel, LiveOptions } from './liveOptions.js';
import { siteSchedule } from './liveSites.js';
import { eventsPerDay } from './rate.js';
import { LiveIncidents } from './liveIncidents.js';

interface LivePair {
  sku: string;
  warehouseId: string;
  /** Index of the product and of the warehouse in the master data. */
  item: number;
  site: number;
  /** The stock policy for the current simulated day (see `policyOf`), and that day. */
  policy: StockPolicy | undefined;
  policyDay: number;
  fraction: number;
  leadTimeDays: number;
  unitsPerSale: number;
  returnRate: number;
  reservationRate: number;
  onHand: number;
  reserved: number;
  onOrder: number;
}

/** Something due later: a delivery, a picked reservation, a return. */
interface Pending {
  due: number;
  pair: LivePair;
  type: 'RESTOCK' | 'FULFIL' | 'CANCEL' | 'RETURN' | 'TRANSFER_OUT' | 'TRANSFER_IN';
  quantity: number;
  reference: string;
  /** The other end of a transfer. */
  from?: LivePair;
  to?: LivePair;
}

const SECOND = 1000;
/**
 * An endless iterator of events. Pairs are drawn by SKU demand and by how busy each warehouse is
 * at the event's local time; restocks, reservation pick-ups, returns and transfer arrivals follow
 * after the history's delays in simulated days (see `eventsPerDay`). Lines, write-offs, receipts
 * and transfers have the history's sizes, so ordinary traffic trips no volume or high-value rule.
 */
export function* liveEvents(options: LiveOptions): Generator<InventoryEvent, never, undefined> {
  const seed = options.seed ?? 42;
  const rate = options.rate ?? 100;
  if (!(rate > 0)) throw new InvalidInputError(`rate must be positive (got ${rate})`);
  const { products, warehouses } = options.master;
  if (products.length === 0 || warehouses.length === 0) throw new InvalidInputError('master data is empty');
  const startMs = options.start === undefined ? Date.now() : new Date(options.start).getTime();
  if (!Number.isFinite(startMs))
    throw new InvalidInputError(`start is not a valid time: ${String(options.start)}`);
  const businessHoursOnly = options.businessHoursOnly ?? true;
  const rng = new Rng(seed, 'live');
  const idSpace = options.idSpace ?? randomUUID();
  const ids = new Rng(seed, 'ids', idSpace);
  // Order references name orders (the order stream's ids): a tag of the id space keeps a restarted
  // feed of the same seed from naming its orders as the last one did (a stream of its own, so
  // the draws of `rng` and `ids` are unchanged).
  const orderTag = new Rng(seed, 'order-tag', idSpace).int(46_656, 1_679_615).toString(36).toUpperCase();

  const { openAt, sitesAt, siteLoad } = siteSchedule(warehouses, businessHoursOnly, startMs);

  // Demand follows the season of the event-time day, as in the history: it moves between SKUs
  // (the stream's rate is fixed), so each SKU's draw weight and stock are scaled by its season
  // relative to the catalogue's.
  let day = NaN;
  let skuWeights: number[] = [];
  let skuLoad: number[] = [];
  const setDay = (t: number) => {
    day = Math.floor(t / DAY_MS);
    const position = seasonPosition(day);
    const season = products.map((p) => seasonality(p, position));
    const nominal = products.reduce((sum, p) => sum + p.demand.salesPerDay, 0);
    const seasonal = products.reduce((sum, p, i) => sum + p.demand.salesPerDay * season[i]!, 0);
    skuLoad = season.map((f) => (f * nominal) / seasonal);
    skuWeights = cumulative(products.map((p, i) => p.demand.salesPerDay * season[i]!));
  };
  setDay(startMs);
  /** The pair's stock policy for the current day: its site's share of the stream, its season. */
  const policyOf = (pair: LivePair): StockPolicy => {
    if (!pair.policy || pair.policyDay !== day) {
      const load = siteLoad[pair.site]! * skuLoad[pair.item]!;
      pair.policy = stockPolicy(products[pair.item]!, warehouses[pair.site]!, 1, pair.fraction, load);
      pair.policyDay = day;
    }
    return pair.policy;
  };

  const pairs: LivePair[] = [];
  const given = new Map<string, LiveLevel>();
  for (const level of options.levels ?? []) given.set(eventKey(level), level);
  products.forEach((product, item) =>
    warehouses.forEach((warehouse, site) => {
      const level = given.get(eventKey({ sku: product.sku, warehouseId: warehouse.warehouse_id }));
      const pair: LivePair = {
        sku: product.sku,
        warehouseId: warehouse.warehouse_id,
        item,
        site,
        policy: undefined,
        policyDay: NaN,
        fraction: new Rng(seed, 'opening', product.sku, warehouse.warehouse_id).next(),
        leadTimeDays: product.lead_time_days,
        unitsPerSale: product.demand.unitsPerSale,
        returnRate: product.demand.returnRate,
        reservationRate: product.demand.reservationRate,
        onHand: 0,
        reserved: level ? level.reserved : 0,
        onOrder: 0,
      };
      pair.onHand = level ? level.onHand : policyOf(pair).openingStock;
      pairs.push(pair);
    }),
  );
  const pending = new DueQueue<Pending>();
  /** Events emitted so far: the stream's clock when no wall clock is given. */
  let emitted = 0;
  /**
   * The simulation's clock, which follow-ups are due by: one tick per emitted event, and after a
   * long run of draws that yielded nothing, a jump to the next follow-up due. When every open
   * shelf is empty, time has to pass for the deliveries to come due; counting only emitted
   * events, it never did, and the stream stopped.
   */
  let draws = 0;
  const STALL = 200;
  const dayEvents = eventsPerDay(options.master);
  /** The event count `days` simulated days from now. */
  const later = (days: number) => draws + Math.max(1, Math.round(days * dayEvents));

  let minute = NaN;
  let open: boolean[] = [];
  let siteWeights: number[] = [];
  /** Every warehouse is closed (and the stream carries on from all of them). */
  let allClosed = false;
  const refresh = (t: number) => {
    minute = Math.floor(t / 60_000);
    if (Math.floor(t / DAY_MS) !== day) setDay(t);
    const sites = sitesAt(t);
    open = sites.open;
    allClosed = sites.closed;
    siteWeights = cumulative(sites.weights);
  };

  // Many events share a millisecond at high rates: format each instant once.
  let isoAt = NaN;
  let iso = '';
  const event = (
    pair: LivePair,
    type: EventType,
    change: number,
    t: number,
    reference: string,
    notes: string,
  ) => {
    if (t !== isoAt) {
      isoAt = t;
      iso = new Date(t).toISOString();
    }
    if (type === 'RESERVATION' || type === 'RESERVATION_RELEASE') pair.reserved += change;
    else pair.onHand += change;
    return {
      eventId: ids.uuid(),
      eventType: type,
      sku: pair.sku,
      warehouseId: pair.warehouseId,
      quantityChange: change,
      timestamp: iso,
      referenceId: reference,
      notes,
    } satisfies InventoryEvent;
  };
  const incidents =
    options.injectAnomalies &&
    new LiveIncidents(options.injectAnomalies, {
      seed,
      products,
      warehouses,
      pairs,
      openAt,
      emit: (pair, ...rest) => event(pair as LivePair, ...rest),
      eventsPerDay: dayEvents,
    });
  /** Orders the pair's lots, received one by one over the day `days` simulated days from now. */
  const order = (pair: LivePair, days: number) => {
    const { lot, lotsPerOrder } = policyOf(pair);
    pair.onOrder += lot * lotsPerOrder;
    const reference = `PO-${rng.int(100_000, 999_999)}`;
    for (let i = 0; i < lotsPerOrder; i++) {
      pending.push({ due: later(days + rng.next()), pair, type: 'RESTOCK', quantity: lot, reference });
    }
  };
  /**
   * What a pair has above its reorder point, when it can give a lot away (two lots above the point
   * and three lots on hand); −1 when it cannot.
   */
  const spare = (pair: LivePair): number => {
    const { lot, reorderPoint } = policyOf(pair);
    const available = pair.onHand - pair.reserved;
    return available - reorderPoint >= 2 * lot && available >= 3 * lot ? available - reorderPoint : -1;
  };
  /** As in the history: reorder at the reorder point, sometimes by one lot from a sister warehouse. */
  const afterOutflow = (pair: LivePair) => {
    const { reorderPoint, lot } = policyOf(pair);
    if (pair.onHand - pair.reserved + pair.onOrder > reorderPoint) return;
    let donor: LivePair | undefined;
    for (let site = 0; site < warehouses.length; site++) {
      const other = pairs[pair.item * warehouses.length + site]!;
      if (other !== pair && spare(other) >= 0 && (!donor || spare(other) > spare(donor))) donor = other;
    }
    if (donor && rng.chance(TRANSFER_CHANCE)) {
      pair.onOrder += lot;
      const reference = `TRF-${rng.int(100_000, 999_999)}`;
      pending.push({ due: draws, pair: donor, type: 'TRANSFER_OUT', quantity: lot, reference, to: pair });
      return;
    }
    // After the lead time, a day early to two late.
    order(pair, Math.max(1, pair.leadTimeDays + rng.int(-1, 2)));
  };
  // A pair that starts at or below its reorder point (levels left by the history, say) had an
  // order on its way when the stream began, placed when it crossed the point: it arrives when that
  // order would, judging by how many days of sales the pair is below the point.
  for (const pair of pairs) {
    const { reorderPoint, dailyUnits } = policyOf(pair);
    const below = reorderPoint - (pair.onHand - pair.reserved);
    if (below < 0) continue;
    order(pair, Math.max(0, pair.leadTimeDays - below / Math.max(dailyUnits, 1e-9)));
  }

  /** A due follow-up as an event, or undefined when it no longer applies. */
  const followUp = (p: Pending, t: number): InventoryEvent | undefined => {
    const { pair } = p;
    switch (p.type) {
      case 'RESTOCK':
        pair.onOrder -= p.quantity;
        return event(pair, 'RESTOCK', p.quantity, t, p.reference, 'Purchase order received');
      case 'TRANSFER_OUT': {
        const to = p.to!;
        // The sister warehouse may have sold what it could spare meanwhile: the receiving pair
        // then reorders on its next sale.
        if (spare(pair) < 0) {
          to.onOrder -= p.quantity;
          return undefined;
        }
        pending.push({
          due: later(rng.uniform(2, 3)),
          pair: to,
          type: 'TRANSFER_IN',
          quantity: p.quantity,
          reference: p.reference,
          from: pair,
        });
        return event(pair, 'TRANSFER_OUT', -p.quantity, t, p.reference, `Transfer to ${to.warehouseId}`);
      }
      case 'TRANSFER_IN':
        pair.onOrder -= p.quantity;
        return event(pair, 'TRANSFER_IN', p.quantity, t, p.reference, `Transfer from ${p.from!.warehouseId}`);
      case 'RETURN':
        return event(pair, 'RETURN', p.quantity, t, p.reference, 'Customer return');
      case 'CANCEL':
        return event(pair, 'RESERVATION_RELEASE', -p.quantity, t, p.reference, 'Reservation cancelled');
      case 'FULFIL':
        // Released now, sold as the very next event: on-hand ≥ reserved holds in between.
        owed.push({ pair, quantity: p.quantity, reference: p.reference });
        return event(pair, 'RESERVATION_RELEASE', -p.quantity, t, p.reference, 'Reservation fulfilled');
    }
  };
  /** Sales that complete fulfilled reservations, emitted before anything else. */
  const owed: Array<{ pair: LivePair; quantity: number; reference: string }> = [];

  const fresh = (t: number): InventoryEvent | undefined => {
    const product = rng.weighted(skuWeights);
    const site = rng.weighted(siteWeights);
    const pair = pairs[product * warehouses.length + site]!;
    const available = pair.onHand - pair.reserved;
    if (rng.chance(0.006)) {
      const units = writeOffUnits(rng);
      if (units > available) return undefined;
      return event(
        pair,
        'ADJUSTMENT',
        -units,
        t,
        `COUNT-${rng.int(100_000, 999_999)}`,
        'Damaged or missing stock written off',
      );
    }
    const quantity = lineUnits(rng, pair.unitsPerSale);
    if (quantity > available) {
      // A line the stock cannot fill is lost.
      options.onLostLine?.({ sku: pair.sku, warehouseId: pair.warehouseId, quantity, at: t });
      afterOutflow(pair);
      return undefined;
    }
    const reference = `ORDER-${rng.int(10_000_000, 99_999_999)}-${orderTag}`;
    if (rng.chance(pair.reservationRate)) {
      const type = rng.chance(0.12) ? 'CANCEL' : 'FULFIL';
      pending.push({ due: later(rng.uniform(1, 3)), pair, type, quantity, reference });
      return event(pair, 'RESERVATION', quantity, t, reference, 'Stock reserved for order');
    }
    const sale = event(pair, 'SALE', -quantity, t, reference, 'Sale transaction');
    if (rng.chance(pair.returnRate)) {
      // The customer sends the line back.
      pending.push({ due: later(rng.uniform(2, 14)), pair, type: 'RETURN', quantity, reference });
    }
    afterOutflow(pair);
    return sale;
  };

  /**
   * Whether a follow-up can happen at `t`: its warehouse is open, and for a fulfilment, still open
   * for the sale that follows as the next event.
   */
  const canRun = (p: Pending, t: number): boolean =>
    open[p.pair.site]! && (p.type !== 'FULFIL' || allClosed || openAt(p.pair.site, t + SECOND / rate));
  /** The earliest follow-up at a warehouse open now, taken ahead of its time (among the first few due). */
  const earliestOpen = (t: number): InventoryEvent | undefined => {
    const skipped: Pending[] = [];
    let found: Pending | undefined;
    while (!found && pending.size > 0 && skipped.length < 64) {
      const p = pending.pop()!;
      if (canRun(p, t)) found = p;
      else skipped.push(p);
    }
    for (const p of skipped) pending.push(p);
    return found && followUp(found, t);
  };
  /** How long a follow-up waits when its warehouse is closed: ten minutes of event time. */
  const reopenWait = Math.max(1, Math.round(10 * 60 * rate));

  // A draw can yield nothing (a sale of a sold-out item). After a run of those, the earliest
  // follow-up at an open warehouse is taken early, so a stream whose open pairs are all sold out
  // still moves on.
  let misses = 0;
  for (;;) {
    const t = options.clock ? options.clock() : startMs + Math.floor((emitted * SECOND) / rate);
    if (Math.floor(t / 60_000) !== minute) refresh(t);
    // Injected incidents ride along, off the rate, but never between a release and its sale.
    const extra = owed.length === 0 ? incidents?.next(t) : undefined;
    if (extra) {
      yield extra;
      continue;
    }
    let next: InventoryEvent | undefined;
    const sale = owed.pop();
    if (sale) {
      next = event(sale.pair, 'SALE', -sale.quantity, t, sale.reference, 'Sale transaction');
      afterOutflow(sale.pair);
    } else if ((pending.peek()?.due ?? Infinity) <= draws) {
      const due = pending.pop()!;
      if (canRun(due, t)) next = followUp(due, t);
      // Deliveries and pick-ups wait for the warehouse to open.
      else pending.push({ ...due, due: draws + reopenWait });
    } else {
      next = (misses > 50 ? earliestOpen(t) : undefined) ?? fresh(t);
    }
    if (next === undefined) {
      misses++;
      if (misses > STALL) draws = Math.max(draws + 1, pending.peek()?.due ?? 0);
      continue;
    }
    misses = 0;
    emitted++;
    draws++;
    incidents?.tick(t);
    yield next;
  }
}

/** The Kafka message of an event: key `sku:warehouseId`, JSON value. */
export function toKafkaMessage(event: InventoryEvent): { key: string; value: string } {
  return { key: eventKey(event), value: JSON.stringify(event) };
}
