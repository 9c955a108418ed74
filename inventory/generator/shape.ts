/**
 * The shape of demand over time — when in the day, week and year things sell — and the stocking
 * policy of one (sku, warehouse) pair. All times are local to the warehouse.
 */
import { ANOMALY_RULES } from '../rules/index.js';
import type { Product, Warehouse } from './master.js';
import type { Rng } from './random.js';
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

/**
 * Units of one sale line (also of a reservation, and of a return, which gives the line back):
 * the product's typical line size or one more, with `unitsPerSale` as the mean. A checkout buys a
 * handful at most; a SKU that sells a lot does so through more lines, not bigger ones. Two
 * neighbouring sizes can never lie outside the volume rules' fences (SPEC §7: 1.5 IQR around the
 * quartiles, which are never less than one unit apart, and |z| ≤ 3 with a spread of at least one
 * unit), however few lines have been seen: a bulk order is an anomaly, and the generator leaves
 * anomalies to the tests that craft them.
 */
export function lineUnits(rng: Rng, unitsPerSale: number): number {
  const mean = Math.max(1, unitsPerSale);
  const typical = Math.floor(mean);
  return rng.chance(mean - typical) ? typical + 1 : typical;
}

/** The largest line `lineUnits` draws for a product. */
export function largestLine(unitsPerSale: number): number {
  return Math.floor(Math.max(1, unitsPerSale)) + 1;
}

/**
 * Chance that a pair at its reorder point is refilled by one lot from a sister warehouse with
 * plenty to spare rather than by its supplier.
 */
export const TRANSFER_CHANCE = 0.35;

/** Units of one stock write-off (damaged or missing goods found at a cycle count): one or two. */
export function writeOffUnits(rng: Rng): number {
  return rng.chance(0.7) ? 1 : 2;
}

/**
 * The units a supplier delivers per receipt for a product: two weeks of demand at an average site,
 * but never worth more than the high-value threshold (SPEC §7), so an expensive product arrives
 * in more, smaller lots instead of one receipt that is an anomaly by definition. The same for
 * every warehouse of the product, so receipts and transfers between its warehouses all have one
 * size.
 */
export function lotSize(product: Product, scale: number): number {
  const d = product.demand;
  const twoWeeks = Math.ceil(d.salesPerDay * d.unitsPerSale * scale * 14);
  const affordable = Math.floor(ANOMALY_RULES.highValue / Math.max(product.unit_cost, 0.01));
  return Math.max(1, Math.min(Math.max(5, twoWeeks), affordable));
}

/** How a pair is stocked: reorder when on-hand plus on-order falls to the reorder point. */
export interface StockPolicy {
  /** Mean units sold per day. */
  dailyUnits: number;
  reorderPoint: number;
  safetyStock: number;
  /** Units per receipt or transfer (see `lotSize`). */
  lot: number;
  /** Lots per purchase order. */
  lotsPerOrder: number;
  openingStock: number;
  /** The pair's place between a lean and a full stock (0–1), fixed for the pair. */
  fraction: number;
}

/**
 * A (reorder point, order quantity) policy: cover the lead time plus a few days of safety, and
 * order two to four weeks of demand at a time, in whole lots. `fraction` (0–1, random per pair)
 * places the opening stock between the reorder point and a full order above it. `load` is the
 * demand expected now relative to the product's average (its season and trend, or how much of a
 * live stream the site takes), as a planner would forecast it.
 *
 * The safety stock covers a late delivery and unlucky weeks, so an ordinary pair runs out only
 * rarely, and is at least a few of the largest lines, so that a slow seller's stock is never so
 * thin that one ordinary sale takes half of it (RAPID_DEPLETION, SPEC §7).
 */
export function stockPolicy(
  product: Product,
  warehouse: Warehouse,
  scale: number,
  fraction: number,
  load = 1,
): StockPolicy {
  const d = product.demand;
  const dailyUnits = d.salesPerDay * d.unitsPerSale * warehouse.demandFactor * scale * load;
  // Two days of sales for a late delivery, plus four standard deviations of the sale lines over
  // the lead time (Poisson lines with the history's day-to-day noise of about 25 %) and four lines
  // more, because a slow seller's few lines come in runs that a normal curve underrates.
  const lines = dailyUnits / d.unitsPerSale;
  const spread = Math.sqrt(lines * product.lead_time_days * (1 + 0.0625 * lines));
  const safetyStock = Math.max(
    Math.ceil(2 * dailyUnits + d.unitsPerSale * (4 * spread + 4)),
    6 * largestLine(d.unitsPerSale),
  );
  const reorderPoint = Math.ceil(dailyUnits * product.lead_time_days) + safetyStock;
  const lot = lotSize(product, scale);
  const lotsPerOrder = Math.max(1, Math.ceil((dailyUnits * (14 + 14 * fraction)) / lot));
  return {
    dailyUnits,
    reorderPoint,
    safetyStock,
    lot,
    lotsPerOrder,
    openingStock: reorderPoint + Math.ceil(lot * lotsPerOrder * (0.4 + 0.6 * fraction)),
    fraction,
  };
}
