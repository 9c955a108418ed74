/**
 * The stock of one (sku, warehouse) pair during history generation, and the only code that turns
 * planned activity into ledger rows. Invariants kept here, for every prefix of the ledger:
 * - 0 ≤ quantity_reserved ≤ quantity_on_hand (so on-hand never goes negative): sales, transfers out
 *   and write-offs take at most the available stock (on-hand − reserved), a reservation takes at
 *   most the available stock, and a fulfilment releases its reservation before selling it;
 * - a line or transfer is carried out whole or not at all (a sale the stock cannot fill is lost),
 *   so every row of a type has one of the sizes the plans draw and no ordinary row is a volume
 *   outlier (SPEC §7);
 * - every row has the sign SPEC §3 requires for its type and a non-zero quantity;
 * - occurred_at strictly increases within the pair, so replaying by time is unambiguous.
 */
import type { EventType } from '../events/index.js';
import type { Product, Warehouse } from './master.js';
import type { OrderRow } from './orders.js';
import type { Rng } from './random.js';
import type { DayShape, SeasonPosition, StockPolicy } from './shape.js';
import type { ZoneClock } from './zone.js';

/** A row of inventory.inventory_transactions (ingested_at is left to the database). */

/** The reference of every pair's opening stock count, the first row of a generated history. */
export const OPENING_STOCK_REFERENCE = 'STOCKTAKE-OPENING';

export interface TransactionRow {
  event_id: string;
  sku: string;
  warehouse_id: string;
  event_type: EventType;
  quantity_change: number;
  occurred_at: Date;
  reference_id: string | null;
  notes: string | null;
}

/** A row of inventory.inventory_levels: the pair's stock after the last generated transaction. */
export interface LevelRow {
  sku: string;
  warehouse_id: string;
  quantity_on_hand: number;
  quantity_reserved: number;
  reorder_point: number;
  safety_stock: number;
  last_event_at: Date | null;
}

/** A warehouse as the simulation sees it: its clock, its day shape and its first local day. */
export interface Site {
  warehouse: Warehouse;
  clock: ZoneClock;
  shape: DayShape;
  /** Local day index (days since 1970-01-01, local) that contains the start of the history. */
  firstDay: number;
  /** Per simulation day: weekday weight × share of the day open (0 when closed). */
  activity: Float64Array;
  /** Per simulation day: where it sits in the yearly curve. */
  season: SeasonPosition[];
  /**
   * Injected pick stoppages: the simulation days on which the warehouse picks nothing, each with
   * the day its picks are made up on instead (LABELS.md, LATE_DISPATCH).
   */
  pickDelay?: Map<number, number>;
}

/** Goods moving between two pairs of the same SKU: TRANSFER_OUT at `from`, TRANSFER_IN at `to`. */
export interface Transfer {
  from: Pair;
  to: Pair;
  planned: number;
  reference: string;
  /** Its row in the open-order feed, cancelled when the goods cannot be sent. */
  order?: OrderRow | undefined;
}

export type Plan =
  | {
      kind: 'SALE' | 'RESERVE' | 'RESTOCK' | 'RETURN' | 'ADJUST';
      quantity: number;
      at: number;
      reference: string;
    }
  | { kind: 'FULFIL' | 'CANCEL'; quantity: number; at: number; reference: string }
  | {
      kind: 'TRANSFER_OUT' | 'TRANSFER_IN';
      quantity: number;
      at: number;
      reference: string;
      transfer: Transfer;
    };

/** A plan before its time of day is drawn (on the day it is carried out). */
export type Scheduled = Plan extends infer P ? (P extends unknown ? Omit<P, 'at'> : never) : never;

/** What the pair can call back into: the random stream, the time window, scheduling, output. */
export interface PairContext {
  rng: Rng;
  fromMs: number;
  toMs: number;
  /** Schedules a plan on the pair's local day `day` (simulation day, 0 = first). Its time is drawn then. */
  schedule(pair: Pair, day: number, plan: Scheduled): void;
  emit(row: TransactionRow): void;
  /** Records a replenishment order in the open-order feed (omitted: orders are not recorded). */
  order?(row: OrderRow): void;
  /**
   * The reference of a new customer order line of this SKU: unique in the history, so that no
   * two order lines share an order id (the order stream follows each reservation by it).
   */
  orderReference(): string;
  /** A reservation the available stock could not cover: a backordered order line (omitted: not followed). */
  lostLine?(pair: Pair, plan: Plan): void;
  /** An injected reorder-point edit of the pair in its next night (omitted: no order stream). */
  nightEdit?(pair: Pair, at: number): void;
}

export class Pair {
  onHand = 0;
  reserved = 0;
  /** Units ordered or in transit towards this pair, not yet received. */
  onOrder = 0;
  /**
   * Units physically received but not yet booked (a receipt whose RESTOCK row is late, see
   * incidents.ts): sold from like any stock, but missing from on-hand until booked. Always 0
   * without injected incidents.
   */
  unbooked = 0;
  lastAt = -Infinity;
  /** Plans waiting for a future simulation day. */
  readonly scheduled = new Map<number, Scheduled[]>();

  constructor(
    readonly product: Product,
    readonly site: Site,
    readonly policy: StockPolicy,
  ) {}

  get warehouseId(): string {
    return this.site.warehouse.warehouse_id;
  }

  /** What can be sold or moved: physical stock (booked or not) less reservations. */
  get available(): number {
    return this.onHand + this.unbooked - this.reserved;
  }

  level(): LevelRow {
    return {
      sku: this.product.sku,
      warehouse_id: this.warehouseId,
      quantity_on_hand: this.onHand,
      quantity_reserved: this.reserved,
      reorder_point: this.policy.reorderPoint,
      safety_stock: this.policy.safetyStock,
      last_event_at: Number.isFinite(this.lastAt) ? new Date(this.lastAt) : null,
    };
  }

  /**
   * Writes one row at (or just after) `at`. Returns false, changing nothing, when the time falls
   * outside [from, to): activity outside the window simply did not happen. Public for injected
   * incidents, which must keep the same time order.
   */
  record(
    ctx: PairContext,
    type: EventType,
    change: number,
    at: number,
    reference: string | null,
    notes: string,
  ): boolean {
    const t = Math.max(Math.floor(at), this.lastAt + 1);
    if (t < ctx.fromMs || t >= ctx.toMs) return false;
    this.lastAt = t;
    ctx.emit({
      event_id: ctx.rng.uuid(),
      sku: this.product.sku,
      warehouse_id: this.warehouseId,
      event_type: type,
      quantity_change: change,
      occurred_at: new Date(t),
      reference_id: reference,
      notes,
    });
    return true;
  }

  /** The opening stock count at the very start of the window. */
  open(ctx: PairContext): void {
    const quantity = this.policy.openingStock;
    if (
      this.record(ctx, 'ADJUSTMENT', quantity, ctx.fromMs, OPENING_STOCK_REFERENCE, 'Opening stock count')
    ) {
      this.onHand = quantity;
    }
  }

  /** Applies one plan at its time; `day` is the current simulation day. */
  apply(ctx: PairContext, plan: Plan, day: number): void {
    const { rng } = ctx;
    switch (plan.kind) {
      case 'SALE': {
        const q = plan.quantity;
        if (q > this.available) return; // out of stock: a lost sale leaves no row
        if (!this.record(ctx, 'SALE', -q, plan.at, plan.reference, 'Sale transaction')) return;
        this.onHand -= q;
        this.maybeReturn(ctx, q, plan.reference, day);
        return;
      }
      case 'RESERVE': {
        const q = plan.quantity;
        if (q > this.available) {
          ctx.lostLine?.(this, plan);
          return;
        }
        if (!this.record(ctx, 'RESERVATION', q, plan.at, plan.reference, 'Stock reserved for order')) return;
        this.reserved += q;
        // Most reservations are picked and shipped within a few days; some orders are cancelled.
        const kind = rng.chance(0.12) ? 'CANCEL' : 'FULFIL';
        ctx.schedule(this, day + rng.int(1, 3), { kind, quantity: q, reference: plan.reference });
        return;
      }
      case 'FULFIL':
      case 'CANCEL': {
        const notes = plan.kind === 'FULFIL' ? 'Reservation fulfilled' : 'Reservation cancelled';
        if (!this.record(ctx, 'RESERVATION_RELEASE', -plan.quantity, plan.at, plan.reference, notes)) return;
        this.reserved -= plan.quantity;
        // Released first, then sold: on-hand ≥ reserved holds between the two rows as well.
        if (
          plan.kind === 'FULFIL' &&
          this.record(ctx, 'SALE', -plan.quantity, plan.at + 1, plan.reference, 'Sale transaction')
        ) {
          this.onHand -= plan.quantity;
          this.maybeReturn(ctx, plan.quantity, plan.reference, day);
        }
        return;
      }
      case 'RESTOCK': {
        this.onOrder -= plan.quantity;
        if (this.record(ctx, 'RESTOCK', plan.quantity, plan.at, plan.reference, 'Purchase order received')) {
          this.onHand += plan.quantity;
        }
        return;
      }
      case 'RETURN': {
        if (this.record(ctx, 'RETURN', plan.quantity, plan.at, plan.reference, 'Customer return')) {
          this.onHand += plan.quantity;
        }
        return;
      }
      case 'ADJUST': {
        // Write-offs (damage, shrinkage) cannot take reserved or missing stock.
        const q = plan.quantity < 0 ? Math.max(plan.quantity, -this.available) : plan.quantity;
        if (q === 0) return;
        const notes = q > 0 ? 'Cycle count correction: found' : 'Damaged or missing stock written off';
        if (this.record(ctx, 'ADJUSTMENT', q, plan.at, plan.reference, notes)) this.onHand += q;
        return;
      }
      case 'TRANSFER_OUT': {
        const { transfer } = plan;
        // Sent only while it is at most a third of what the warehouse has (see replenish).
        const q = plan.quantity;
        const sent =
          3 * q <= this.available &&
          this.record(
            ctx,
            'TRANSFER_OUT',
            -q,
            plan.at,
            transfer.reference,
            `Transfer to ${transfer.to.warehouseId}`,
          );
        transfer.to.onOrder -= transfer.planned; // what is really in transit is added back below
        if (!sent) {
          // Not enough stock to spare any more: the transfer order is cancelled (inside the window),
          // never before it was placed (the donor's day may start, in UTC, before the end of the
          // recipient's day that placed it when the two sites' time zones differ).
          const order = transfer.order;
          if (order && plan.at < ctx.toMs)
            order.cancelled_at = new Date(Math.max(plan.at, order.ordered_at.getTime()));
          return;
        }
        this.onHand -= q;
        transfer.to.onOrder += q;
        ctx.schedule(transfer.to, day + rng.int(2, 3), {
          kind: 'TRANSFER_IN',
          quantity: q,
          reference: transfer.reference,
          transfer,
        });
        return;
      }
      case 'TRANSFER_IN': {
        this.onOrder -= plan.quantity;
        const notes = `Transfer from ${plan.transfer.from.warehouseId}`;
        if (this.record(ctx, 'TRANSFER_IN', plan.quantity, plan.at, plan.reference, notes)) {
          this.onHand += plan.quantity;
        }
        return;
      }
    }
  }

  private maybeReturn(ctx: PairContext, sold: number, reference: string, day: number): void {
    const { rng } = ctx;
    if (!rng.chance(this.product.demand.returnRate)) return;
    // The customer sends the line back.
    ctx.schedule(this, day + rng.int(2, 14), { kind: 'RETURN', quantity: sold, reference });
  }
}
