import { InvalidInputError } from '../../platform/index.js';
import { NAME_WORDS, PRODUCT_KINDS, WAREHOUSE_SITES, type SeasonCurve } from './catalog.js';
import { Rng } from './random.js';

/** How one SKU sells; the history and live generators draw every event from it. */
export interface DemandProfile {
  /** Mean sale lines per day in a warehouse of average size, on an average weekday (long-tailed across SKUs). */
  salesPerDay: number;
  /** Mean units per sale line (at least 1). */
  unitsPerSale: number;
  /** Share of sale lines that come back as a RETURN (0.02–0.04). */
  returnRate: number;
  /** Share of orders that reserve stock first and are fulfilled (or cancelled) later. */
  reservationRate: number;
  /** Multiplier per calendar month, January first. */
  season: SeasonCurve;
  /** Relative change of demand over a year (-0.15 … +0.35): a slow trend for the analytics to find. */
  growthPerYear: number;
}

/** A row of inventory.products plus its demand profile (which is not stored). */
export interface Product {
  sku: string;
  name: string;
  category: string;
  unit_cost: number;
  unit_price: number;
  lead_time_days: number;
  demand: DemandProfile;
}

/** A row of inventory.warehouses plus its demand weight (which is not stored). */
export interface Warehouse {
  warehouse_id: string;
  name: string;
  zone: string;
  capacity: number;
  /** IANA time zone; business hours and weekends are local to it. */
  timezone: string;
  /** Local 'HH:MM:SS'. */
  business_hours_start: string;
  business_hours_end: string;
  weekend_operation: boolean;
  /** Demand relative to an average warehouse (bigger sites sell more). */
  demandFactor: number;
}

export interface MasterData {
  products: Product[];
  warehouses: Warehouse[];
}

export interface MasterDataOptions {
  /** @defaultValue 42 */
  seed?: number;
  /** Number of SKUs. @defaultValue 50 */
  skus?: number;
  /** Number of warehouses. @defaultValue 3 */
  warehouses?: number;
}

/** Largest catalogue we generate; keeps SKU numbers within five digits per kind. */
export const MAX_SKUS = 1_000_000;
export const MAX_WAREHOUSES = 999;

function serial(n: number, width = 3): string {
  return String(n).padStart(width, '0');
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function product(seed: number, index: number): Product {
  const kind = PRODUCT_KINDS[index % PRODUCT_KINDS.length]!;
  const number = Math.floor(index / PRODUCT_KINDS.length) + 1;
  // One stream per SKU index: SKU i is the same product whatever the catalogue size.
  const rng = new Rng(seed, 'product', index);
  const unitCost = round2(rng.uniform(kind.cost[0], kind.cost[1]));
  const margin = rng.uniform(1.18, 1.85);
  // Log-normal sale rates give the long tail of real catalogues: a few SKUs sell dozens of lines
  // a day, most a handful, some one a week.
  const salesPerDay = Math.min(120, Math.max(0.15, Math.exp(Math.log(2.6) + 1.05 * rng.normal())));
  const season = kind.season.map((m) => Math.max(0.2, m * rng.uniform(0.93, 1.07))) as unknown as SeasonCurve;
  return {
    sku: `${kind.prefix}-${serial(number)}`,
    name: `${kind.noun} ${rng.pick(NAME_WORDS)} ${serial(number)}`,
    category: kind.category,
    unit_cost: unitCost,
    unit_price: round2(unitCost * margin),
    lead_time_days: rng.int(kind.leadTime[0], kind.leadTime[1]),
    demand: {
      salesPerDay,
      unitsPerSale: Math.max(1, kind.unitsPerSale * rng.uniform(0.8, 1.25)),
      returnRate: rng.uniform(0.02, 0.04),
      reservationRate: rng.uniform(0.04, 0.12),
      season,
      growthPerYear: rng.uniform(-0.15, 0.35),
    },
  };
}

function warehouse(index: number): Warehouse {
  const site = WAREHOUSE_SITES[index % WAREHOUSE_SITES.length]!;
  const round = Math.floor(index / WAREHOUSE_SITES.length);
  return {
    warehouse_id: `WAREHOUSE-${serial(index + 1)}`,
    name: `${site.city} Distribution Center${round > 0 ? ` ${round + 1}` : ''}`,
    zone: site.zone,
    capacity: site.capacity,
    timezone: site.timezone,
    business_hours_start: site.open,
    business_hours_end: site.close,
    weekend_operation: site.weekends,
    demandFactor: 0.45 + site.capacity / 200_000,
  };
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(`${name} must be a whole number from 1 to ${max} (got ${value})`);
  }
}

/** Products and warehouses for a seed. Deterministic: the same options give the same data. */
export function generateMasterData(options: MasterDataOptions = {}): MasterData {
  const { seed = 42, skus = 50, warehouses = 3 } = options;
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError(`seed must be a whole number (got ${seed})`);
  checkCount('skus', skus, MAX_SKUS);
  checkCount('warehouses', warehouses, MAX_WAREHOUSES);
  return {
    products: Array.from({ length: skus }, (_, i) => product(seed, i)),
    warehouses: Array.from({ length: warehouses }, (_, i) => warehouse(i)),
  };
}
