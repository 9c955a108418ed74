/**
 * The order, shipment and audit streams of the demo data, derived from the inventory events as
 * they are generated, so the two agree (inventory/fulfilment/CONTRACT.md, "One picture"):
 * - a RESERVATION with an `ORDER-…` reference is an order line: ORDER_CREATED and LINE_RESERVED
 *   at the same instant, promised to leave by the close of its fourth working day
 *   (`FeedCalendar.promise`), which ordinary trade always keeps;
 * - its release as fulfilled and the SALE that follows are the pick (LINE_PICKED), then packing,
 *   a shipment (DISPATCHED, IN_TRANSIT, DELIVERED; an injected EXCEPTION on the way); a release as
 *   cancelled is ORDER_CANCELLED; an order that leaves after its promise is labelled (LATE_DISPATCH);
 * - a reservation the stock could not cover is a backorder: ORDER_CREATED without a reservation,
 *   cancelled some days later;
 * - the opening stock count and every ADJUSTMENT are audited (STOCK_COUNT, MANUAL_ADJUSTMENT), and
 *   now and then a planner edits a pair's reorder point (MASTER_DATA_EDIT) — in working hours, or
 *   at night as an injected AUDIT_POLICY incident.
 * Sales without a reservation are counter sales: they have no order in the order stream.
 *
 * The feed draws from a random stream of its own, so the inventory events of a seed are the same
 * with or without it.
 */
import type { EventType } from '../events/index.js';
import {
  SHIPMENT_EXCEPTION_CODES,
  type AuditEvent,
  type FulfilmentEvent,
  type OrderEvent,
  type ShipmentExceptionCode,
} from '../fulfilment/index.js';
import { DueQueue } from './dueQueue.js';
import { auditEvent, orderEvent, shipmentEvent } from './fulfilmentEvents.js';
import { FeedCalendar, lateDispatchLabel, type FeedIncidentOptions } from './fulfilmentIncidents.js';
import { makeLabel } from './labels.js';
import type { MasterData } from './master.js';
import type { TransactionRow } from './pair.js';
import type { Rng } from './random.js';
import { DAY_MS } from './zone.js';

/** An inventory event or ledger row as the feed sees it. */
export interface LedgerFact {
  eventType: EventType;
  sku: string;
  warehouseId: string;
  quantityChange: number;
  /** Event time, epoch ms. */
  at: number;
  reference: string | null;
  notes: string | null;
}

/** A generated ledger row as the feed sees it. */
export const ledgerFact = (row: TransactionRow): LedgerFact => ({
  eventType: row.event_type,
  sku: row.sku,
  warehouseId: row.warehouse_id,
  quantityChange: row.quantity_change,
  at: row.occurred_at.getTime(),
  reference: row.reference_id,
  notes: row.notes,
});

/** The release note that means a reservation was cancelled rather than picked (pair.ts, live.ts). */
export const CANCELLED_RELEASE_NOTE = 'Reservation cancelled';
const ORDER_PREFIX = 'ORDER-';
const CARRIERS = ['DHL', 'UPS', 'DPD', 'GLS'] as const;
/** One injected exception in five is a lost parcel. */
const LOST_SHARE = 0.2;
/** Chance per sale of a reorder-point edit of its pair. */
const POLICY_EDIT_CHANCE = 0.002;
/** Order ids remembered to tell a reused reference (a live feed forgets the oldest beyond this). */
const REMEMBERED_ORDERS = 1_000_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

interface OpenOrder {
  orderId: string;
  sku: string;
  warehouseId: string;
  quantity: number;
  /** Released as fulfilled: the next SALE of the line is its pick. */
  picking: boolean;
  createdAt: number;
  /** Its promised dispatch. */
  promise: number;
}

export interface FulfilmentFeedOptions {
  master: MasterData;
  /**
   * Event-time milliseconds of one simulated day (delays scale with it, so a time-lapse keeps its
   * proportions). @defaultValue 86400000
   */
  msPerDay?: number;
  /** Label the late dispatches, and inject exceptions and night edits (LABELS.md). */
  incidents?: FeedIncidentOptions;
}

export class FulfilmentFeed {
  private readonly queue = new DueQueue<{ due: number; event: FulfilmentEvent }>();
  private outbox: FulfilmentEvent[] = [];
  private readonly open = new Map<string, OpenOrder>();
  private used = new Set<string>();
  private readonly reservationRate = new Map<string, number>();
  private readonly unit: number;
  private readonly calendar: FeedCalendar;
  private readonly incidents: FeedIncidentOptions | undefined;
  /** Orders and backorders opened, and RESERVATIONs left without an order because their reference was used before. */
  readonly stats = { orders: 0, backorders: 0, reusedReferences: 0 };

  constructor(
    private readonly rng: Rng,
    options: FulfilmentFeedOptions,
  ) {
    for (const p of options.master.products) this.reservationRate.set(p.sku, p.demand.reservationRate);
    this.unit = (options.msPerDay ?? DAY_MS) / DAY_MS;
    this.calendar = new FeedCalendar(options.master, this.unit);
    this.incidents = options.incidents;
  }

  private get rate(): number {
    return this.incidents?.rate ?? 0;
  }

  /** Events waiting for their time. */
  get pending(): number {
    return this.queue.size + this.outbox.length;
  }

  /** Follows one inventory event (in event-time order per pair). */
  observe(f: LedgerFact): void {
    const ref = f.reference;
    switch (f.eventType) {
      case 'RESERVATION':
        if (ref?.startsWith(ORDER_PREFIX)) this.reserve(f, ref);
        return;
      case 'RESERVATION_RELEASE': {
        const o = this.orderOf(f);
        if (!o) return;
        if (f.notes === CANCELLED_RELEASE_NOTE) {
          this.open.delete(o.orderId);
          this.now(orderEvent(this.rng, o, 'ORDER_CANCELLED', f.at, { reason: 'customer' }));
        } else o.picking = true;
        return;
      }
      case 'SALE': {
        const o = this.orderOf(f);
        if (o?.picking) {
          this.open.delete(o.orderId);
          this.pick(o, f.at, -f.quantityChange);
        } else if (this.rng.chance(POLICY_EDIT_CHANCE)) this.policyEdit(f);
        else if (
          this.incidents?.nightEdits &&
          this.rate > 0 &&
          this.rng.chance(this.calendar.nightEditChance(f.sku, f.warehouseId, this.rate))
        )
          this.nightEdit(f);
        return;
      }
      case 'ADJUSTMENT':
      case 'INVENTORY_UPDATE':
        this.now(this.adjustment(f));
        return;
      default:
        return;
    }
  }

  /**
   * A line the stock could not cover. `reference` given: it was an order line (history, a
   * reservation that failed); without one (the live stream, where the draw comes later) it was an
   * order with the product's reservation rate.
   */
  lostLine(line: {
    sku: string;
    warehouseId: string;
    quantity: number;
    at: number;
    reference?: string;
  }): void {
    if (line.reference === undefined && !this.rng.chance(this.reservationRate.get(line.sku) ?? 0)) return;
    const orderId = line.reference ?? `${ORDER_PREFIX}${this.rng.int(10_000_000, 99_999_999)}`;
    if (!this.claim(orderId)) return;
    this.stats.backorders++;
    const o = {
      orderId,
      sku: line.sku,
      warehouseId: line.warehouseId,
      quantity: line.quantity,
      picking: false,
      createdAt: line.at,
      promise: this.calendar.promise(line.warehouseId, line.at),
    };
    this.now(this.created(o, line.at));
    this.later(
      orderEvent(this.rng, o, 'ORDER_CANCELLED', line.at + this.days(this.rng.uniform(3, 7)), {
        reason: 'backorder',
      }),
    );
  }

  /** The events due at or before `upTo`, oldest first (those of the facts just observed last). */
  drain(upTo: number): FulfilmentEvent[] {
    const out: FulfilmentEvent[] = [];
    while (this.queue.size > 0 && this.queue.peek()!.due <= upTo) out.push(this.queue.pop()!.event);
    if (this.outbox.length > 0) {
      out.push(...this.outbox);
      this.outbox = [];
    }
    return out;
  }

  private orderOf(f: LedgerFact): OpenOrder | undefined {
    const o = f.reference ? this.open.get(f.reference) : undefined;
    return o && o.sku === f.sku && o.warehouseId === f.warehouseId ? o : undefined;
  }

  private claim(orderId: string): boolean {
    if (this.used.has(orderId)) {
      this.stats.reusedReferences++;
      return false;
    }
    if (this.used.size >= REMEMBERED_ORDERS) this.used = new Set();
    this.used.add(orderId);
    return true;
  }

  private reserve(f: LedgerFact, orderId: string): void {
    if (!this.claim(orderId)) return;
    this.stats.orders++;
    const o = {
      orderId,
      sku: f.sku,
      warehouseId: f.warehouseId,
      quantity: f.quantityChange,
      picking: false,
      createdAt: f.at,
      promise: this.calendar.promise(f.warehouseId, f.at),
    };
    this.open.set(orderId, o);
    this.now(this.created(o, f.at));
    this.now(orderEvent(this.rng, o, 'LINE_RESERVED', f.at, { sku: o.sku, quantity: o.quantity }));
  }

  /** The pick at `at`, then packing and the shipment, each after its own delay. */
  private pick(o: OpenOrder, at: number, quantity: number): void {
    const { rng } = this;
    this.now(orderEvent(this.rng, o, 'LINE_PICKED', at, { sku: o.sku, quantity }));
    const packed = at + this.span(rng.uniform(10, 90) * MINUTE);
    this.later(orderEvent(this.rng, o, 'ORDER_PACKED', packed, {}));
    const carrier = rng.pick(CARRIERS);
    const ship = {
      shipmentId: `SHP-${o.orderId.slice(ORDER_PREFIX.length)}`,
      carrier,
      trackingNumber: `${carrier}${rng.int(100_000_000, 999_999_999)}`,
    };
    const dispatched = packed + this.span(rng.uniform(0.5, 6) * HOUR);
    const inTransit = dispatched + this.span(rng.uniform(1, 8) * HOUR);
    let delivered: number | null = dispatched + this.days(rng.uniform(1, 4));
    this.later(shipmentEvent(this.rng, o, ship, 'DISPATCHED', dispatched));
    this.later(shipmentEvent(this.rng, o, ship, 'IN_TRANSIT', inTransit));
    const labels = this.incidents;
    if (labels && dispatched > o.promise)
      labels.onLabel(lateDispatchLabel(labels.seed, o, Math.round(dispatched)));
    if (
      labels &&
      this.rate > 0 &&
      rng.chance(this.calendar.exceptionChance(o.sku, o.warehouseId, this.rate))
    ) {
      const at = Math.round(rng.uniform(inTransit + 1, delivered));
      const code: ShipmentExceptionCode = rng.chance(LOST_SHARE)
        ? 'LOST'
        : rng.pick(SHIPMENT_EXCEPTION_CODES.filter((c) => c !== 'LOST'));
      const event = {
        ...shipmentEvent(this.rng, o, ship, 'EXCEPTION', at),
        exceptionCode: code,
        detail: null,
      };
      this.later(event);
      delivered = code === 'LOST' ? null : delivered + this.days(rng.uniform(1, 3));
      // Over when the parcel is delivered (the scan that resolves it); a lost one never is.
      labels.onLabel(
        makeLabel(
          labels.seed,
          'SHIPMENT_EXCEPTION',
          { sku: o.sku, warehouse_id: o.warehouseId },
          event.occurredAt.getTime(),
          delivered === null ? null : Math.round(delivered),
          { also: [], subject: ship.shipmentId, order_id: o.orderId, exception_code: code },
        ),
      );
    }
    if (delivered !== null) this.later(shipmentEvent(this.rng, o, ship, 'DELIVERED', delivered));
  }

  /**
   * A planner's reorder-point edit of the pair of `f` in its warehouse's next night (an injected
   * AUDIT_POLICY incident, labelled), at least half an hour inside the policy's night.
   */
  nightEdit(f: Pick<LedgerFact, 'sku' | 'warehouseId' | 'at'>): void {
    const at = this.calendar.nightAfter(f.warehouseId, f.at, this.rng);
    const old = this.rng.int(5, 200);
    const edit: AuditEvent = {
      ...auditEvent(this.rng, { ...f, at }, 'MASTER_DATA_EDIT', `planner-${this.rng.int(1, 3)}`),
      entity: 'stock_policy',
      field: 'reorder_point',
      oldValue: String(old),
      newValue: String(old * this.rng.int(2, 4)),
    };
    this.later(edit);
    const labels = this.incidents;
    if (labels)
      labels.onLabel(
        makeLabel(
          labels.seed,
          'AUDIT_POLICY',
          { sku: f.sku, warehouse_id: f.warehouseId },
          edit.occurredAt.getTime(),
          edit.occurredAt.getTime(),
          {
            also: [],
            subject: `${edit.entity}:${edit.entityId}`,
            kind: 'night_edit',
            event_id: edit.eventId,
          },
        ),
      );
  }

  /**
   * Labels the orders still open when a history ends (`until`, exclusive) whose promise had
   * passed by then: late, with no dispatch in the data.
   */
  finish(until: number): void {
    const labels = this.incidents;
    if (!labels) return;
    for (const o of this.open.values())
      if (o.promise < until) labels.onLabel(lateDispatchLabel(labels.seed, o, null));
  }

  private created(o: OpenOrder, at: number): OrderEvent {
    return {
      ...orderEvent(this.rng, o, 'ORDER_CREATED', at, {}),
      lines: [{ sku: o.sku, quantity: o.quantity }],
      promisedDispatchAt: new Date(o.promise),
      customerId: `CUST-${this.rng.int(100_000, 999_999)}`,
    };
  }

  private adjustment(f: LedgerFact): AuditEvent {
    const opening = f.reference === 'STOCKTAKE-OPENING';
    return {
      ...auditEvent(
        this.rng,
        f,
        opening ? 'STOCK_COUNT' : 'MANUAL_ADJUSTMENT',
        `clerk-${this.rng.int(1, 6)}`,
      ),
      countedQuantity: opening ? f.quantityChange : null,
      quantityChange: opening ? null : f.quantityChange,
      referenceId: opening ? null : f.reference,
      reasonCode: opening ? null : f.quantityChange < 0 ? 'WRITE_OFF' : 'COUNT_FOUND',
    };
  }

  private policyEdit(f: LedgerFact): void {
    const old = this.rng.int(5, 200);
    const change = Math.max(1, Math.round(old * this.rng.uniform(0.05, 0.3)));
    this.now({
      ...auditEvent(this.rng, f, 'MASTER_DATA_EDIT', `planner-${this.rng.int(1, 3)}`),
      entity: 'stock_policy',
      field: 'reorder_point',
      oldValue: String(old),
      newValue: String(this.rng.chance(0.5) ? old + change : old - change),
    });
  }

  private now(e: FulfilmentEvent): void {
    this.outbox.push(e);
  }

  private later(e: FulfilmentEvent): void {
    this.queue.push({ due: e.occurredAt.getTime(), event: e });
  }

  /** A delay of `ms` at the natural pace, scaled to the feed's event time. */
  private span(ms: number): number {
    return Math.max(1, Math.round(ms * this.unit));
  }

  private days(n: number): number {
    return this.span(n * DAY_MS);
  }
}
