/**
 * The fulfilment side of the labelled incidents (LABELS.md): when a generated order is promised,
 * which of its shipments meet an exception, when a planner edits a reorder point at night — and
 * the labels of every order that really left after its promise. The feed (fulfilmentFeed.ts) asks;
 * this module draws from the feed's random stream and writes the labels.
 */
import { DEFAULT_AUDIT_POLICY } from '../fulfilment/index.js';
import { makeLabel, type IncidentLabel } from './labels.js';
import type { MasterData, Warehouse } from './master.js';
import type { Rng } from './random.js';
import { DAY_MS, HOUR_MS, ZoneClock, dayIndex, secondsOfDay, weekday } from './zone.js';

/** An order is promised to leave by the close of this many working days after the day it was made. */
export const PROMISED_WORKING_DAYS = 4;

/** Labels and injection of the feed (`FulfilmentFeedOptions.incidents`). */
export interface FeedIncidentOptions {
  /** Label ids are drawn from it (`makeLabel`). */
  seed: number;
  /** Every label, as it is known: late dispatches always; exceptions and night edits when injected. */
  onLabel: (label: IncidentLabel) => void;
  /** Injected shipment exceptions (and, with `nightEdits`, night edits) per pair per 30 days. @defaultValue 0 */
  rate?: number;
  /**
   * Draw night edits here (the live feed). The history's injector decides them with its other
   * incidents, one at a time per pair, and calls `FulfilmentFeed.nightEdit`. @defaultValue false
   */
  nightEdits?: boolean;
}

interface Site {
  warehouse: Warehouse;
  clock: ZoneClock;
  close: number;
}

/**
 * The warehouses' calendars and the pairs' expected trade, for promises and injection chances.
 * `unit` < 1 is a time-lapse feed: calendars do not apply, promises are a plain scaled span.
 */
export class FeedCalendar {
  private readonly sites = new Map<string, Site>();
  private readonly shipmentsPerDay = new Map<string, number>();
  private readonly salesPerDay = new Map<string, number>();

  constructor(
    master: MasterData,
    private readonly unit: number,
  ) {
    const clocks = new Map<string, ZoneClock>();
    for (const w of master.warehouses) {
      let clock = clocks.get(w.timezone);
      if (!clock) clocks.set(w.timezone, (clock = new ZoneClock(w.timezone)));
      this.sites.set(w.warehouse_id, {
        warehouse: w,
        clock,
        close: secondsOfDay(w.business_hours_end) * 1000,
      });
      // A working day's share of the week's days (warehouses closed at weekends trade on five).
      const open = w.weekend_operation ? 1 : 5 / 7;
      for (const p of master.products) {
        const sales = p.demand.salesPerDay * w.demandFactor * open;
        this.salesPerDay.set(`${p.sku}:${w.warehouse_id}`, sales);
        // Reservations that are not cancelled (12 % are) become shipments.
        this.shipmentsPerDay.set(`${p.sku}:${w.warehouse_id}`, sales * p.demand.reservationRate * 0.88);
      }
    }
  }

  /**
   * The promised dispatch of an order made at `at`: the close of the `PROMISED_WORKING_DAYS`-th
   * working day after its day, in its warehouse's time — what a warehouse that picks within three
   * working days and dispatches the same day can keep (a time-lapse: that many days, scaled).
   */
  promise(warehouseId: string, at: number): number {
    const site = this.sites.get(warehouseId);
    if (!site || this.unit !== 1) return at + Math.round(PROMISED_WORKING_DAYS * DAY_MS * this.unit);
    let day = dayIndex(site.clock.wall(at));
    for (let n = 0; n < PROMISED_WORKING_DAYS;) {
      day++;
      const dow = weekday(day);
      if (site.warehouse.weekend_operation || (dow !== 0 && dow !== 6)) n++;
    }
    return site.clock.toUtc(day * DAY_MS + site.close);
  }

  /** Chance per shipment of the pair that gives about `rate` exceptions per 30 days. */
  exceptionChance(sku: string, warehouseId: string, rate: number): number {
    return Math.min(0.5, rate / 30 / Math.max(1e-6, this.shipmentsPerDay.get(`${sku}:${warehouseId}`) ?? 0));
  }

  /** Chance per sale of the pair that gives about `rate` night edits per 30 days. */
  nightEditChance(sku: string, warehouseId: string, rate: number): number {
    return Math.min(0.5, rate / 30 / Math.max(1e-6, this.salesPerDay.get(`${sku}:${warehouseId}`) ?? 0));
  }

  /**
   * An instant in the warehouse's night after `at` (local, at least half an hour inside the
   * policy's night at both ends); a time-lapse: `at` plus a scaled few hours.
   */
  nightAfter(warehouseId: string, at: number, rng: Rng): number {
    const site = this.sites.get(warehouseId);
    const { from, to } = DEFAULT_AUDIT_POLICY.nightHours;
    const length = ((to - from + 24) % 24) * HOUR_MS;
    if (!site || this.unit !== 1) return at + Math.round(rng.uniform(1, 6) * HOUR_MS * this.unit);
    const wall = site.clock.wall(at);
    let start = dayIndex(wall) * DAY_MS + from * HOUR_MS;
    if (start + length <= wall) start += DAY_MS;
    const earliest = Math.max(start, wall) + HOUR_MS / 2;
    const latest = start + length - HOUR_MS / 2;
    return site.clock.toUtc(earliest >= latest ? latest : rng.uniform(earliest, latest));
  }
}

/** A LATE_DISPATCH label: the order left (or, `dispatched` null, had not left) after its promise. */
export function lateDispatchLabel(
  seed: number,
  o: { orderId: string; sku: string; warehouseId: string; createdAt: number; promise: number },
  dispatched: number | null,
): IncidentLabel {
  return makeLabel(
    seed,
    'LATE_DISPATCH',
    { sku: o.sku, warehouse_id: o.warehouseId },
    o.promise,
    dispatched,
    {
      also: [],
      subject: o.orderId,
      created_at: new Date(o.createdAt).toISOString(),
    },
  );
}
