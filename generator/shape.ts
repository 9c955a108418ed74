/**
 * The shape of demand over time — when in the day, week and year things sell — and the stocking
 * policy of one (sku, warehouse) pair. All times are local to the warehouse.
 */
import type { Product, Warehouse } from './master.js';
import { DAY_MS, monthOf, secondsOfDay } from './zone.js';

/**
 * Relative activity per local hour: morning and afternoon peaks (10–13, 16–19), a quieter lunch
 * dip, a slow start and a thin night shift for sites that run around the clock.
 */
const HOUR_WEIGHTS = [
  0.12, 0.1, 0.08, 0.08, 0.1, 0.2, 0.55, 0.75, 1.1, 1.35, 2.2, 2.3, 2.2, 1.4, 1.35, 1.5, 2.15, 2.25, 2.1,
  0.95, 0.8, 0.55, 0.35, 0.2,
] as const;

/** Relative volume per weekday (Sunday first) for sites that operate at weekends. */
const WEEKDAY_WEIGHTS = [0.35, 1.0, 1.06, 1.04, 1.0, 1.12, 0.5] as const;

/** Peak hours used by tests and docs: [start, end) local hours. */
export const PEAK_HOURS: ReadonlyArray<readonly [number, number]> = [
  [10, 13],
  [16, 19],
];

/** Where in a local day a warehouse is open, and how busy each hour is. */
export interface DayShape {
  /** Cumulative hour weights (zero-width for closed hours), for `Rng.weighted`. */
  cumulative: Float64Array;
  /** Open seconds of each hour: [from, to) within the day. */
  open: Array<readonly [number, number]>;
  /** Sum of the hour weights relative to a full 06–22 day, so short days sell less. */
  dayWeight: number;
}

export function dayShape(warehouse: Warehouse): DayShape {
  const start = secondsOfDay(warehouse.business_hours_start);
  const end = secondsOfDay(warehouse.business_hours_end);
  const cumulative = new Float64Array(24);
  const open: Array<readonly [number, number]> = [];
  let sum = 0;
  for (let h = 0; h < 24; h++) {
    const from = Math.max(h * 3600, start);
    const to = Math.min((h + 1) * 3600, end);
    const fraction = Math.max(0, to - from) / 3600;
    sum += HOUR_WEIGHTS[h]! * fraction;
    cumulative[h] = sum;
    open.push(fraction > 0 ? [from, to] : [0, 0]);
  }
  let reference = 0;
  for (let h = 6; h < 22; h++) reference += HOUR_WEIGHTS[h]!;
  return { cumulative, open, dayWeight: sum / reference };
}

/** Whether local second-of-day `second` on weekday `dow` is inside the warehouse's business hours. */
export function isOpen(warehouse: Warehouse, dow: number, second: number): boolean {
  if (!warehouse.weekend_operation && (dow === 0 || dow === 6)) return false;
  return (
    second >= secondsOfDay(warehouse.business_hours_start) &&
    second < secondsOfDay(warehouse.business_hours_end)
  );
}

/** Relative volume of a local weekday; 0 on weekends for sites closed at weekends. */
export function weekdayWeight(warehouse: Warehouse, dow: number): number {
  if (!warehouse.weekend_operation && (dow === 0 || dow === 6)) return 0;
  return WEEKDAY_WEIGHTS[dow]!;
}

/** Relative activity of a local hour (before business-hours clipping). */
export function hourWeight(hour: number): number {
  return HOUR_WEIGHTS[hour]!;
}

/** Where a day sits between two month midpoints: the yearly curve at it is a blend of both. */
export interface SeasonPosition {
  month: number;
  /** The neighbouring month (the previous one in the first half of the month, else the next). */
  other: number;
  /** Weight of `other`, 0 at the month's midpoint to 0.5 at its edges. */
  blend: number;
}

export function seasonPosition(day: number): SeasonPosition {
  const date = new Date(day * DAY_MS);
  const month = monthOf(day);
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), month + 1, 0)).getUTCDate();
  const position = (date.getUTCDate() - 0.5) / daysInMonth - 0.5; // -0.5 … 0.5 around the midpoint
  return { month, other: (month + (position < 0 ? 11 : 1)) % 12, blend: Math.abs(position) };
}

/**
 * The product's yearly curve at a day, interpolated between month midpoints so demand glides
 * from month to month instead of jumping on the first.
 */
export function seasonality(product: Product, position: SeasonPosition): number {
  const curve = product.demand.season;
  const here = curve[position.month]!;
  return here + (curve[position.other]! - here) * position.blend;
}

/** How a pair is stocked: reorder when on-hand plus on-order falls to the reorder point. */
export interface StockPolicy {
  /** Mean units sold per day. */
  dailyUnits: number;
  reorderPoint: number;
  safetyStock: number;
  orderQuantity: number;
  openingStock: number;
}

/**
 * A (reorder point, order quantity) policy: cover the lead time plus a few days of safety, and
 * order two to four weeks of demand at a time. `fraction` (0–1, random per pair) places the opening
 * stock between the reorder point and a full order above it.
 */
export function stockPolicy(
  product: Product,
  warehouse: Warehouse,
  scale: number,
  fraction: number,
): StockPolicy {
  const d = product.demand;
  const dailyUnits = d.salesPerDay * d.unitsPerSale * warehouse.demandFactor * scale;
  const safetyStock = Math.ceil(dailyUnits * 4);
  const reorderPoint = Math.ceil(dailyUnits * product.lead_time_days) + safetyStock;
  const orderQuantity = Math.max(5, Math.ceil(dailyUnits * (14 + 14 * fraction)));
  return {
    dailyUnits,
    reorderPoint,
    safetyStock,
    orderQuantity,
    openingStock: Math.max(1, reorderPoint + Math.ceil(orderQuantity * (0.4 + 0.6 * fraction))),
  };
}
