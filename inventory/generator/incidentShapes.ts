/**
 * How each injected incident looks in the ledger: a starter per type that, on one local day of
 * one pair, returns the timed steps of the incident (or null when the pair cannot have it today,
 * e.g. too little stock; it is tried again on a later day). Every step goes through the pair, so
 * levels stay the sum of the ledger unless the fault is exactly that. LABELS.md describes them.
 */
import { DEFAULT_AUDIT_POLICY } from '../fulfilment/index.js';
import { ANOMALY_RULES as RULES } from '../rules/index.js';
import type { IncidentLabel, IncidentType } from './labels.js';
import type { Product, Warehouse } from './master.js';
import type { Pair, PairContext, Plan, TransactionRow } from './pair.js';
import { largestLine, lineUnits } from './shape.js';
import { DAY_MS, secondsOfDay } from './zone.js';

/** A step of an incident at its time of day, run in time order among the day's plans. */
export interface Hook {
  kind: 'HOOK';
  at: number;
  run(): void;
}

/** What an incident of one pair remembers across days. */
export interface PairIncidents {
  /** SALE rows so far (the volume rules need a history to judge against). */
  sales: number;
  /** An incident spanning days is in progress (a surge, a withheld receipt). */
  busy: boolean;
  /** No new incident starts before this simulation day. */
  idleFrom: number;
  /** When available stock last fell to zero or below, while it still is. */
  outSince: number | null;
  surge: { from: number; linesPerDay: number; untilDay: number } | null;
  /** Start of the surge behind the current stock-out. */
  surgeFrom: number | null;
  withheld: {
    phase: 'awaiting' | 'withheld';
    startDay: number;
    sinceDay: number;
    reference: string;
    /** When the first receipt was left unbooked (epoch ms): the books run behind from then on. */
    withheldAt: number | null;
    negativeSince: number | null;
    negativeDay: number;
  } | null;
  /** The latest label of the pair, to name what caused a stock-out that follows it. */
  last: IncidentLabel | null;
}

export interface ShapeEnv {
  ctx: PairContext;
  pair: Pair;
  state: PairIncidents;
  day: number;
  /** An ordinary time of day today (inside business hours, weighted like trade). */
  at: () => number;
  /** UTC instant of a local second of today. */
  local: (second: number) => number;
  label: (type: IncidentType, start: number, end: number | null, detail: Record<string, unknown>) => void;
  lastRow: () => TransactionRow | undefined;
}

export type Starter = (env: ShapeEnv) => Array<Hook | Plan> | null;

const MIN = 60_000;

export function hook(at: number, run: () => void): Hook {
  return { kind: 'HOOK', at, run };
}

function order(env: ShapeEnv): string {
  return env.ctx.orderReference();
}

/** Books a sale of `q` when the stock is there. */
export function sell(env: ShapeEnv, q: number, at: number, reference = order(env)): boolean {
  const { pair, ctx } = env;
  if (q < 1 || q > pair.available) return false;
  if (!pair.record(ctx, 'SALE', -q, at, reference, 'Sale transaction')) return false;
  pair.onHand -= q;
  return true;
}

function hours(env: ShapeEnv): { open: number; close: number } {
  const w = env.pair.site.warehouse;
  return { open: secondsOfDay(w.business_hours_start), close: secondsOfDay(w.business_hours_end) };
}

/** A start inside today's business hours that leaves `span` ms of them. */
function startWithin(env: ShapeEnv, span: number): number {
  const { open, close } = hours(env);
  return env.local(open + env.ctx.rng.next() * Math.max(0, close - open - span / 1000));
}

/** Units of an ordinary sale line of the pair's product. */
export function line(env: ShapeEnv): number {
  return lineUnits(env.ctx.rng, env.pair.product.demand.unitsPerSale);
}

const largest = (pair: Pair) => largestLine(pair.product.demand.unitsPerSale);

/** Whether a pair can have an incident of `type` at all (the rest is decided day by day). */
export function eligible(type: IncidentType, product: Product, warehouse: Warehouse): boolean {
  const cost = product.unit_cost;
  const big = largestLine(product.demand.unitsPerSale);
  switch (type) {
    case 'WEEKEND_ACTIVITY':
      return !warehouse.weekend_operation;
    case 'HIGH_VALUE':
      return cost >= 15;
    case 'VOLUME_ZSCORE':
      return (big + 6) * cost <= 0.8 * RULES.highValue;
    case 'VOLUME_IQR':
      return (big + 2) * cost <= 0.8 * RULES.highValue;
    default:
      return true;
  }
}

/** A sale line well outside the volume rules' bounds. */
function volume(type: 'VOLUME_ZSCORE' | 'VOLUME_IQR'): Starter {
  return (env) => {
    const { pair, ctx } = env;
    const big = largest(pair);
    if (env.state.sales < 30) return null;
    // IQR: two units above the largest ordinary line, outside the fences (≥ 1.5 units beyond
    // the quartiles) yet within three units of the mean, so |z| ≤ 3. Z-score: a bulk line of
    // several ordinary ones, |z| ≥ 6, which the fences catch as well.
    const q = type === 'VOLUME_IQR' ? big + 2 : Math.max(big + 6, Math.ceil(big * ctx.rng.uniform(2.5, 5)));
    const cap = Math.min(0.4 * pair.available, (0.8 * RULES.highValue) / pair.product.unit_cost);
    if (q > cap) return null;
    const at = env.at();
    return [
      hook(at, () => {
        if (!sell(env, q, at)) return;
        const t = pair.lastAt;
        env.label(type, t, t, {
          also: type === 'VOLUME_ZSCORE' ? ['VOLUME_IQR'] : [],
          event_id: env.lastRow()?.event_id,
          quantity: -q,
          largest_ordinary_line: big,
        });
      }),
    ];
  };
}

/** An ordinary sale booked outside business hours on a working day. */
const afterHours: Starter = (env) => {
  const { pair, ctx } = env;
  if (pair.available < 2 * largest(pair)) return null;
  const { open, close } = hours(env);
  const windows: Array<[number, number]> = [];
  if (close + 1800 < 86_399) windows.push([close + 1800, Math.min(close + 3 * 3600, 86_399)]);
  if (open - 1800 > 0) windows.push([Math.max(0, open - 3 * 3600), open - 1800]);
  if (windows.length === 0) return null;
  const [lo, hi] = ctx.rng.pick(windows);
  const at = env.local(lo + ctx.rng.next() * (hi - lo));
  const q = line(env);
  return [
    hook(at, () => {
      if (!sell(env, q, at)) return;
      const t = pair.lastAt;
      env.label('AFTER_HOURS', t, t, { also: [], event_id: env.lastRow()?.event_id });
    }),
  ];
};

/** An ordinary sale at midday on a weekend the site is closed. */
const weekend: Starter = (env) => {
  const { pair, ctx } = env;
  const dow = new Date((pair.site.firstDay + env.day) * DAY_MS).getUTCDay();
  if ((dow !== 0 && dow !== 6) || pair.available < 2 * largest(pair)) return null;
  const at = env.local(ctx.rng.uniform(10, 15) * 3600);
  const q = line(env);
  return [
    hook(at, () => {
      if (!sell(env, q, at)) return;
      const t = pair.lastAt;
      env.label('WEEKEND_ACTIVITY', t, t, { also: [], event_id: env.lastRow()?.event_id });
    }),
  ];
};

/** An unplanned consignment (or a mis-keyed receipt) worth two to five times the threshold. */
const highValue: Starter = (env) => {
  const { pair, ctx } = env;
  const q = Math.ceil((ctx.rng.uniform(2, 5) * RULES.highValue) / pair.product.unit_cost);
  const at = env.at();
  const reference = `PO-${ctx.rng.int(100_000, 999_999)}`;
  return [
    hook(at, () => {
      if (!pair.record(ctx, 'RESTOCK', q, at, reference, 'Unplanned consignment received')) return;
      pair.onHand += q;
      const t = pair.lastAt;
      env.label('HIGH_VALUE', t, t, {
        also: ['VOLUME_ZSCORE', 'VOLUME_IQR'],
        event_id: env.lastRow()?.event_id,
        quantity: q,
        value: Math.round(q * pair.product.unit_cost),
      });
    }),
  ];
};

/**
 * A run on the product: ordinary lines that take 60–75 % of the on-hand within 50 minutes. The
 * share is taken of the on-hand when the run starts (receipts may land earlier that day).
 */
const rapidDepletion: Starter = (env) => {
  const { pair, ctx } = env;
  const share = ctx.rng.uniform(0.6, 0.75);
  const mean = Math.max(1, pair.product.demand.unitsPerSale);
  // Lines for the stock of this morning and half as much again, in case a receipt lands first.
  const lines = Math.ceil((1.5 * share * pair.onHand) / mean);
  if (share * pair.onHand > pair.available || lines < 3 || lines > 200) return null;
  const start = startWithin(env, 65 * MIN);
  const offsets = Array.from({ length: lines }, () => ctx.rng.next() * 50 * MIN).sort((a, b) => a - b);
  let onHandBefore = 0;
  let target = 0;
  let sold = 0;
  let first = NaN;
  return offsets.map((offset, i) =>
    hook(start + offset, () => {
      if (i === 0) {
        onHandBefore = pair.onHand;
        target = Math.min(Math.floor(share * onHandBefore), pair.available);
      }
      const q = Math.min(line(env), target - sold);
      if (q >= largest(pair) - 1 && sell(env, q, start + offset)) {
        sold += q;
        if (Number.isNaN(first)) first = pair.lastAt;
      }
      if (i === lines - 1 && sold > 0.55 * onHandBefore)
        env.label('RAPID_DEPLETION', first, pair.lastAt, {
          also: ['STOCKOUT_RISK'],
          on_hand_before: onHandBefore,
          sold,
          share: Math.round((sold / onHandBefore) * 1000) / 1000,
        });
    }),
  );
};

/**
 * A retry storm: an order is reserved, and a quarter of an hour later the same reservation is
 * placed and cancelled again and again, 12–20 events inside 45 seconds.
 */
const frequencySpike: Starter = (env) => {
  const { pair, ctx } = env;
  const q = largest(pair);
  if (pair.available < 3 * q) return null;
  const leadIn = startWithin(env, 60 * MIN);
  const burst = leadIn + ctx.rng.uniform(12, 30) * MIN;
  const n = 2 * ctx.rng.int(6, 10);
  const reference = order(env);
  let booked = 0;
  let first = NaN;
  const steps: Array<Hook | Plan> = [
    { kind: 'RESERVE', quantity: line(env), at: leadIn, reference: order(env) },
  ];
  for (let i = 0; i < n; i++) {
    const at = burst + Math.floor((i * 45_000) / n);
    steps.push(
      hook(at, () => {
        const reserve = i % 2 === 0;
        if (reserve ? q > pair.available : pair.reserved < q) return;
        const notes = reserve ? 'Stock reserved for order' : 'Reservation cancelled';
        if (
          !pair.record(
            ctx,
            reserve ? 'RESERVATION' : 'RESERVATION_RELEASE',
            reserve ? q : -q,
            at,
            reference,
            notes,
          )
        )
          return;
        pair.reserved += reserve ? q : -q;
        if (booked++ === 0) first = pair.lastAt;
        if (i === n - 1 && booked >= 10)
          env.label('FREQUENCY_SPIKE', first, pair.lastAt, { also: [], events: booked, reference });
      }),
    );
  }
  return steps;
};

/** A re-sent event: a sale whose row arrives twice under two event ids (both applied). */
const duplicate: Starter = (env) => {
  const { pair, ctx } = env;
  const q = line(env);
  if (pair.available < 2 * q + 2 * largest(pair)) return null;
  const at = env.at();
  return [
    hook(at, () => {
      if (!sell(env, q, at)) return;
      const original = env.lastRow()!;
      const copy = { ...original, event_id: ctx.rng.uuid() };
      ctx.emit(copy);
      pair.onHand -= q;
      env.label('DQ_DUPLICATE_TRANSACTIONS', original.occurred_at.getTime(), original.occurred_at.getTime(), {
        also: [],
        rule_id: 'duplicate_transactions',
        event_id: copy.event_id,
        duplicate_of: original.event_id,
      });
    }),
  ];
};

/**
 * A lost ledger row: a sale happens (the goods leave, the stored level moves), but its transaction
 * never reaches the ledger. The stored level stays the truth the simulation goes on from; only the
 * ledger is short of one row, so the level no longer equals the sum of its transactions.
 */
const lostRow: Starter = (env) => {
  const { pair } = env;
  const q = line(env);
  if (pair.available < q + 2 * largest(pair)) return null;
  const at = env.at();
  return [
    hook(at, () => {
      if (q > pair.available) return;
      pair.onHand -= q;
      env.label('DQ_ON_HAND_MISMATCH', Math.floor(at), null, {
        also: [],
        rule_id: 'on_hand_mismatch',
        missing_change: -q,
      });
    }),
  ];
};

/**
 * A change outside the audit policy: half the time (when the order stream is generated) a
 * planner's reorder-point edit in the warehouse's next night, which the feed writes and labels;
 * else a count correction worth 1.2–1.9 times the policy's value limit — a write-off when a
 * quarter of the available stock covers it, else stock found — below the high-value rule.
 */
const auditPolicy: Starter = (env) => {
  const { pair, ctx } = env;
  const nightEdit = ctx.nightEdit;
  if (nightEdit && ctx.rng.chance(0.5)) {
    const at = env.at();
    return [hook(at, () => nightEdit(pair, at))];
  }
  const cost = pair.product.unit_cost;
  const units = Math.ceil((DEFAULT_AUDIT_POLICY.adjustmentValueLimit * ctx.rng.uniform(1.2, 1.9)) / cost);
  if (units * cost >= 0.95 * RULES.highValue) return null;
  const at = env.at();
  return [
    hook(at, () => {
      const q = units <= 0.25 * pair.available ? -units : units;
      const notes = q < 0 ? 'Count correction: stock missing' : 'Count correction: stock found';
      if (!pair.record(ctx, 'ADJUSTMENT', q, at, `COUNT-${ctx.rng.int(100_000, 999_999)}`, notes)) return;
      pair.onHand += q;
      const t = pair.lastAt;
      env.label('AUDIT_POLICY', t, t, {
        also: ['VOLUME_ZSCORE', 'VOLUME_IQR', 'STOCKOUT_RISK'],
        subject: `stock:${pair.product.sku}:${pair.warehouseId}`,
        kind: 'adjustment',
        event_id: env.lastRow()?.event_id,
        quantity: q,
        value: Math.round(units * cost),
      });
    }),
  ];
};

/** Starters of the incidents that take one day; STOCKOUT and NEGATIVE_STOCK live in incidents.ts. */
export const DAY_STARTERS: Partial<Record<IncidentType, Starter>> = {
  VOLUME_ZSCORE: volume('VOLUME_ZSCORE'),
  VOLUME_IQR: volume('VOLUME_IQR'),
  AFTER_HOURS: afterHours,
  WEEKEND_ACTIVITY: weekend,
  HIGH_VALUE: highValue,
  RAPID_DEPLETION: rapidDepletion,
  FREQUENCY_SPIKE: frequencySpike,
  DQ_DUPLICATE_TRANSACTIONS: duplicate,
  DQ_ON_HAND_MISMATCH: lostRow,
  AUDIT_POLICY: auditPolicy,
};
