/**
 * The static vocabulary the demo data is drawn from: kinds of products and warehouse sites. SKU i
 * is always built from the same kind and number, so the first 50 SKUs are the same whether 50 or
 * 50,000 are generated.
 */

/** Which months sell more than average: a multiplier per calendar month (January first). */
export type SeasonCurve = readonly [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** Consumer electronics: back-to-school bump, strong November–December peak, January dip. */
const HOLIDAY: SeasonCurve = [0.8, 0.82, 0.9, 0.92, 0.95, 0.95, 0.98, 1.08, 1.0, 1.05, 1.35, 1.75];
/** Office goods: quiet summer and end of year, busy January and September. */
const OFFICE: SeasonCurve = [1.25, 1.1, 1.05, 1.0, 0.95, 0.85, 0.8, 0.95, 1.2, 1.05, 1.0, 0.8];
/** Outdoor and garden: spring and summer. */
const OUTDOOR: SeasonCurve = [0.55, 0.65, 0.95, 1.3, 1.5, 1.5, 1.35, 1.1, 0.9, 0.75, 0.7, 0.9];
/** Steady sellers with a mild holiday lift. */
const STEADY: SeasonCurve = [0.95, 0.95, 1.0, 1.0, 1.0, 0.97, 0.95, 1.0, 1.0, 1.02, 1.08, 1.25];

export interface ProductKind {
  /** SKU prefix, upper-case. */
  prefix: string;
  /** Display noun used in product names. */
  noun: string;
  category: string;
  /** Unit cost range in currency units. */
  cost: readonly [number, number];
  /** Lead time range in days. */
  leadTime: readonly [number, number];
  /** Typical units per sale line (larger for consumables). */
  unitsPerSale: number;
  season: SeasonCurve;
}

export const PRODUCT_KINDS: readonly ProductKind[] = [
  {
    prefix: 'LAPTOP',
    noun: 'Laptop',
    category: 'Electronics',
    cost: [420, 1600],
    leadTime: [7, 21],
    unitsPerSale: 1.1,
    season: HOLIDAY,
  },
  {
    prefix: 'MONITOR',
    noun: 'Monitor',
    category: 'Electronics',
    cost: [110, 520],
    leadTime: [7, 18],
    unitsPerSale: 1.3,
    season: HOLIDAY,
  },
  {
    prefix: 'PHONE',
    noun: 'Smartphone',
    category: 'Electronics',
    cost: [180, 950],
    leadTime: [5, 14],
    unitsPerSale: 1.1,
    season: HOLIDAY,
  },
  {
    prefix: 'TABLET',
    noun: 'Tablet',
    category: 'Electronics',
    cost: [150, 700],
    leadTime: [5, 14],
    unitsPerSale: 1.1,
    season: HOLIDAY,
  },
  {
    prefix: 'HEADSET',
    noun: 'Headset',
    category: 'Accessories',
    cost: [18, 160],
    leadTime: [4, 10],
    unitsPerSale: 1.4,
    season: HOLIDAY,
  },
  {
    prefix: 'KEYBOARD',
    noun: 'Keyboard',
    category: 'Accessories',
    cost: [12, 110],
    leadTime: [3, 10],
    unitsPerSale: 1.6,
    season: STEADY,
  },
  {
    prefix: 'MOUSE',
    noun: 'Mouse',
    category: 'Accessories',
    cost: [6, 70],
    leadTime: [3, 10],
    unitsPerSale: 1.8,
    season: STEADY,
  },
  {
    prefix: 'CABLE',
    noun: 'Cable',
    category: 'Accessories',
    cost: [2, 18],
    leadTime: [2, 8],
    unitsPerSale: 3.5,
    season: STEADY,
  },
  {
    prefix: 'CHARGER',
    noun: 'Charger',
    category: 'Accessories',
    cost: [8, 45],
    leadTime: [3, 9],
    unitsPerSale: 2.2,
    season: HOLIDAY,
  },
  {
    prefix: 'ROUTER',
    noun: 'Router',
    category: 'Networking',
    cost: [35, 260],
    leadTime: [5, 15],
    unitsPerSale: 1.3,
    season: STEADY,
  },
  {
    prefix: 'SWITCH',
    noun: 'Network Switch',
    category: 'Networking',
    cost: [40, 480],
    leadTime: [7, 20],
    unitsPerSale: 1.5,
    season: OFFICE,
  },
  {
    prefix: 'PRINTER',
    noun: 'Printer',
    category: 'Office',
    cost: [70, 450],
    leadTime: [6, 16],
    unitsPerSale: 1.1,
    season: OFFICE,
  },
  {
    prefix: 'TONER',
    noun: 'Toner Cartridge',
    category: 'Office',
    cost: [15, 90],
    leadTime: [3, 9],
    unitsPerSale: 2.8,
    season: OFFICE,
  },
  {
    prefix: 'PAPER',
    noun: 'Copy Paper Box',
    category: 'Office',
    cost: [14, 38],
    leadTime: [2, 6],
    unitsPerSale: 4.5,
    season: OFFICE,
  },
  {
    prefix: 'CHAIR',
    noun: 'Office Chair',
    category: 'Furniture',
    cost: [60, 420],
    leadTime: [10, 30],
    unitsPerSale: 1.3,
    season: OFFICE,
  },
  {
    prefix: 'DESK',
    noun: 'Desk',
    category: 'Furniture',
    cost: [90, 650],
    leadTime: [12, 35],
    unitsPerSale: 1.1,
    season: OFFICE,
  },
  {
    prefix: 'LAMP',
    noun: 'Desk Lamp',
    category: 'Furniture',
    cost: [9, 75],
    leadTime: [4, 12],
    unitsPerSale: 1.5,
    season: HOLIDAY,
  },
  {
    prefix: 'GRILL',
    noun: 'Grill',
    category: 'Outdoor',
    cost: [80, 600],
    leadTime: [10, 28],
    unitsPerSale: 1.1,
    season: OUTDOOR,
  },
  {
    prefix: 'TENT',
    noun: 'Tent',
    category: 'Outdoor',
    cost: [35, 320],
    leadTime: [8, 24],
    unitsPerSale: 1.2,
    season: OUTDOOR,
  },
  {
    prefix: 'HOSE',
    noun: 'Garden Hose',
    category: 'Outdoor',
    cost: [10, 55],
    leadTime: [4, 12],
    unitsPerSale: 1.6,
    season: OUTDOOR,
  },
];

/** Marketing words combined into product names. */
export const NAME_WORDS = [
  'Pro',
  'Air',
  'Max',
  'Lite',
  'Plus',
  'Ultra',
  'Core',
  'Flex',
  'Prime',
  'Edge',
  'Nova',
  'Zen',
];

export interface WarehouseSite {
  city: string;
  zone: string;
  timezone: string;
  /** Local 'HH:MM:SS'. */
  open: string;
  close: string;
  weekends: boolean;
  capacity: number;
}

/**
 * Sites in a deliberate order: the first three (New York, Frankfurt, Singapore) cover every hour
 * of every day between them, so a live stream always has an open warehouse with the defaults.
 * Hours end before midnight because the schema requires start < end on the same day.
 */
export const WAREHOUSE_SITES: readonly WarehouseSite[] = [
  {
    city: 'Newark',
    zone: 'US-East',
    timezone: 'America/New_York',
    open: '06:00:00',
    close: '22:00:00',
    weekends: true,
    capacity: 120_000,
  },
  {
    city: 'Frankfurt',
    zone: 'EU-Central',
    timezone: 'Europe/Berlin',
    open: '07:00:00',
    close: '19:00:00',
    weekends: false,
    capacity: 80_000,
  },
  {
    city: 'Singapore',
    zone: 'APAC-Southeast',
    timezone: 'Asia/Singapore',
    open: '08:00:00',
    close: '20:00:00',
    weekends: true,
    capacity: 60_000,
  },
  {
    city: 'Reno',
    zone: 'US-West',
    timezone: 'America/Los_Angeles',
    open: '06:00:00',
    close: '20:00:00',
    weekends: false,
    capacity: 150_000,
  },
  {
    city: 'Manchester',
    zone: 'EU-West',
    timezone: 'Europe/London',
    open: '07:00:00',
    close: '21:00:00',
    weekends: true,
    capacity: 70_000,
  },
  {
    city: 'Sydney',
    zone: 'APAC-Oceania',
    timezone: 'Australia/Sydney',
    open: '07:00:00',
    close: '18:00:00',
    weekends: false,
    capacity: 45_000,
  },
  {
    city: 'Dallas',
    zone: 'US-Central',
    timezone: 'America/Chicago',
    open: '00:00:00',
    close: '23:59:59',
    weekends: true,
    capacity: 200_000,
  },
  {
    city: 'Tokyo',
    zone: 'APAC-North',
    timezone: 'Asia/Tokyo',
    open: '08:00:00',
    close: '19:00:00',
    weekends: false,
    capacity: 55_000,
  },
  {
    city: 'Sao Paulo',
    zone: 'LATAM',
    timezone: 'America/Sao_Paulo',
    open: '07:00:00',
    close: '19:00:00',
    weekends: false,
    capacity: 50_000,
  },
  {
    city: 'Mumbai',
    zone: 'APAC-South',
    timezone: 'Asia/Kolkata',
    open: '09:00:00',
    close: '21:00:00',
    weekends: true,
    capacity: 65_000,
  },
];
