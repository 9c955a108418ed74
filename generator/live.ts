/**
 * A live stream of inventory events in the SPEC §3 contract, for the Kafka path and for tests and
 * benchmarks of the streaming sidecar. Like the history, it keeps every pair's stock consistent:
 * starting from the given levels, no event takes on-hand below zero or reserved above on-hand
 * (as long as nothing else writes to the same pairs meanwhile).
 */
import { eventKey, type EventType, type InventoryEvent } from '../events/index.js';
import { InvalidInputError } from '../platform/index.js';
import type { MasterData } from './master.js';
import { Rng, cumulative } from './random.js';
import { hourWeight, isOpen, stockPolicy, weekdayWeight, type StockPolicy } from './shape.js';
import { DAY_MS, ZoneClock, dayIndex, weekday } from './zone.js';

export interface LiveLevel {
  sku: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
}

export interface LiveOptions {
  /** @defaultValue 42 */
  seed?: number;
  master: MasterData;
  /** Event time of the first event. @defaultValue now */
  start?: Date | string | number;
  /**
   * Events per second of event time: event i is stamped `start + i / rate` seconds, so
   * publishing at `rate` keeps event time in step with the wall clock. @defaultValue 100
   */
  rate?: number;
  /** Stamps each event with this clock instead (publishToKafka passes `Date.now`). */
  clock?: () => number;
  /** Each pair's stock when the stream starts. @defaultValue the generator's opening stock per pair */
  levels?: Iterable<LiveLevel>;
  /**
   * Draw events only for warehouses inside business hours (and not on a weekend they are closed),
   * so ordinary traffic raises no after-hours or weekend anomalies; when every warehouse is closed
   * the stream carries on from all of them. @defaultValue true
   */
  businessHoursOnly?: boolean;
}

interface LivePair {
  sku: string;
  warehouseId: string;
  site: number;
  policy: StockPolicy;
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
  type: 'RESTOCK' | 'FULFIL' | 'CANCEL' | 'RETURN' | 'TRANSFER_IN';
  quantity: number;
  reference: string;
  from?: LivePair;
}

/** A binary min-heap on `due`. */
class DueQueue {
  private readonly items: Pending[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Pending | undefined {
    return this.items[0];
  }
  push(item: Pending): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.due <= a[i]!.due) break;
      [a[parent], a[i]] = [a[i]!, a[parent]!];
      i = parent;
    }
  }
  pop(): Pending | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.due < a[m]!.due) m = l;
        if (r < a.length && a[r]!.due < a[m]!.due) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

const SECOND = 1000;
/**
 * Follow-up delays are written in seconds at the default rate of 100 events/s and counted in
 * events, so stock cycles (sell down, reorder, receive) look alike at any rate: at 100/s a restock
 * takes 20–120 s of event time, at 50,000/s a fraction of a second.
 */
const TICKS_PER_SECOND = 100;

/**
 * An endless iterator of events. Pairs are drawn by SKU demand and by how busy each warehouse is
 * at the event's local time; restocks, reservation pick-ups, returns and transfer arrivals follow
 * after delays of seconds to minutes of event time (a compressed version of the history's days).
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

  const clocks = warehouses.map((w) => new ZoneClock(w.timezone));
  const pairs: LivePair[] = [];
  const given = new Map<string, LiveLevel>();
  for (const level of options.levels ?? []) given.set(eventKey(level), level);
  products.forEach((product) =>
    warehouses.forEach((warehouse, site) => {
      const policy = stockPolicy(
        product,
        warehouse,
        1,
        new Rng(seed, 'opening', product.sku, warehouse.warehouse_id).next(),
      );
      const level = given.get(eventKey({ sku: product.sku, warehouseId: warehouse.warehouse_id }));
      pairs.push({
        sku: product.sku,
        warehouseId: warehouse.warehouse_id,
        site,
        policy,
        unitsPerSale: product.demand.unitsPerSale,
        returnRate: product.demand.returnRate,
        reservationRate: product.demand.reservationRate,
        onHand: level ? level.onHand : policy.openingStock,
        reserved: level ? level.reserved : 0,
        onOrder: 0,
      });
    }),
  );
  const skuWeights = cumulative(products.map((p) => p.demand.salesPerDay));
  const pending = new DueQueue();
  /** Events emitted so far: the stream's clock when no wall clock is given. */
  let emitted = 0;
  const later = (seconds: number) => emitted + seconds * TICKS_PER_SECOND;

  let minute = NaN;
  let open: boolean[] = [];
  let siteWeights: number[] = [];
  const refresh = (t: number) => {
    minute = Math.floor(t / 60_000);
    open = warehouses.map((w, i) => {
      const wall = clocks[i]!.wall(t);
      const second = Math.floor((wall - dayIndex(wall) * DAY_MS) / 1000);
      return !businessHoursOnly || isOpen(w, weekday(dayIndex(wall)), second);
    });
    const anyOpen = open.some(Boolean);
    siteWeights = cumulative(
      warehouses.map((w, i) => {
        const wall = clocks[i]!.wall(t);
        const busy =
          weekdayWeight(w, weekday(dayIndex(wall))) * hourWeight(Math.floor((wall % DAY_MS) / 3_600_000));
        if (!anyOpen) return w.demandFactor;
        return open[i] ? w.demandFactor * Math.max(busy, 0.05) : 0;
      }),
    );
    if (!anyOpen) open = warehouses.map(() => true);
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
      eventId: rng.uuid(),
      eventType: type,
      sku: pair.sku,
      warehouseId: pair.warehouseId,
      quantityChange: change,
      timestamp: iso,
      referenceId: reference,
      notes,
    } satisfies InventoryEvent;
  };
  const afterOutflow = (pair: LivePair) => {
    if (pair.onHand - pair.reserved + pair.onOrder > pair.policy.reorderPoint) return;
    const quantity = pair.policy.orderQuantity;
    pair.onOrder += quantity;
    const reference = `PO-${rng.int(100_000, 999_999)}`;
    pending.push({ due: later(rng.int(20, 120)), pair, type: 'RESTOCK', quantity, reference });
  };

  /** A due follow-up as an event, or undefined when it no longer applies. */
  const followUp = (p: Pending, t: number): InventoryEvent | undefined => {
    const { pair } = p;
    switch (p.type) {
      case 'RESTOCK':
        pair.onOrder -= p.quantity;
        return event(pair, 'RESTOCK', p.quantity, t, p.reference, 'Purchase order received');
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
    const roll = rng.next();
    if (roll < 0.006) {
      const size = Math.max(1, Math.round(pair.policy.dailyUnits * rng.uniform(0.05, 0.3)));
      const change = rng.chance(0.65) ? -Math.min(size, available) : size;
      if (change === 0) return undefined;
      return event(
        pair,
        'ADJUSTMENT',
        change,
        t,
        `COUNT-${rng.int(100_000, 999_999)}`,
        change > 0 ? 'Cycle count correction: found' : 'Damaged or missing stock written off',
      );
    }
    if (roll < 0.009 && warehouses.length > 1) {
      // To another warehouse that is open now, so the goods can be received when they arrive.
      const target = (site + 1 + rng.int(0, warehouses.length - 2)) % warehouses.length;
      if (!open[target]) return undefined;
      const to = pairs[product * warehouses.length + target]!;
      const quantity = Math.min(
        to.policy.orderQuantity,
        Math.floor((available - pair.policy.reorderPoint) / 2),
      );
      if (quantity <= 0) return undefined;
      const reference = `TRF-${rng.int(100_000, 999_999)}`;
      to.onOrder += quantity;
      pending.push({
        due: later(rng.int(30, 180)),
        pair: to,
        type: 'TRANSFER_IN',
        quantity,
        reference,
        from: pair,
      });
      return event(pair, 'TRANSFER_OUT', -quantity, t, reference, `Transfer to ${to.warehouseId}`);
    }
    const wanted = 1 + rng.poisson(pair.unitsPerSale - 1);
    const quantity = Math.min(wanted, available);
    if (quantity <= 0) {
      afterOutflow(pair);
      return undefined;
    }
    const reference = `ORDER-${rng.int(10_000_000, 99_999_999)}`;
    if (rng.chance(pair.reservationRate)) {
      const type = rng.chance(0.12) ? 'CANCEL' : 'FULFIL';
      pending.push({ due: later(rng.int(5, 90)), pair, type, quantity, reference });
      return event(pair, 'RESERVATION', quantity, t, reference, 'Stock reserved for order');
    }
    const sale = event(pair, 'SALE', -quantity, t, reference, 'Sale transaction');
    if (rng.chance(pair.returnRate)) {
      pending.push({
        due: later(rng.int(60, 600)),
        pair,
        type: 'RETURN',
        quantity: rng.int(1, quantity),
        reference,
      });
    }
    afterOutflow(pair);
    return sale;
  };

  // A draw can yield nothing (a sale of a sold-out item). After a run of those, the earliest
  // follow-up is taken early, so a stream whose open pairs are all sold out still moves on.
  let misses = 0;
  for (;;) {
    const t = options.clock ? options.clock() : startMs + Math.floor((emitted * SECOND) / rate);
    if (Math.floor(t / 60_000) !== minute) refresh(t);
    let next: InventoryEvent | undefined;
    const sale = owed.pop();
    if (sale) {
      next = event(sale.pair, 'SALE', -sale.quantity, t, sale.reference, 'Sale transaction');
      afterOutflow(sale.pair);
    } else if ((pending.peek()?.due ?? Infinity) <= emitted || (misses > 50 && pending.size > 0)) {
      const due = pending.pop()!;
      if (open[due.pair.site]) next = followUp(due, t);
      // Deliveries and pick-ups wait for the warehouse to open.
      else pending.push({ ...due, due: emitted + Math.max(1, Math.round(10 * 60 * rate)) });
    } else {
      next = fresh(t);
    }
    if (next === undefined) {
      misses++;
      continue;
    }
    misses = 0;
    emitted++;
    yield next;
  }
}

/** The Kafka message of an event: key `sku:warehouseId`, JSON value. */
export function toKafkaMessage(event: InventoryEvent): { key: string; value: string } {
  return { key: eventKey(event), value: JSON.stringify(event) };
}
