/**
 * Labelled incidents injected into a generated history (`injectAnomalies`), and the one label
 * every real stock-out gets whatever caused it. One `Injector` per SKU, driven by the history's
 * day loop: it adds the steps of the incidents due on a pair's day, withholds receipts, and watches
 * every pair's available stock after each change. Incidents are drawn from their own random
 * stream, so where they fall depends only on the seed and the rate.
 */
import type { IncidentLabel, IncidentType } from './labels.js';
import { INCIDENT_TYPES, makeLabel } from './labels.js';
import type { Product, Warehouse } from './master.js';
import type { Pair, PairContext, Plan, Site, TransactionRow } from './pair.js';
import {
  DAY_STARTERS,
  eligible,
  hook,
  line as lineLike,
  sell,
  type Hook,
  type PairIncidents,
  type ShapeEnv,
} from './incidentShapes.js';
import { Rng } from './random.js';
import { largestLine } from './shape.js';
import { DAY_MS, weekday } from './zone.js';

export type { Hook };

/**
 * Incident types drawn per pair: not the ingestion gap (drawn per warehouse), the negative level
 * (found at the end), nor the late dispatches (every real one is labelled, and pick stoppages are
 * drawn per warehouse) and the shipment exceptions (drawn per shipment by the fulfilment feed).
 */
const NOT_PER_PAIR: ReadonlySet<IncidentType> = new Set([
  'DQ_INGESTION_GAP',
  'DQ_NEGATIVE_ON_HAND',
  'LATE_DISPATCH',
  'SHIPMENT_EXCEPTION',
]);
const PAIR_TYPES = INCIDENT_TYPES.filter((t) => !NOT_PER_PAIR.has(t));
/** An incident not started this many days after it was drawn (never the stock for it) is dropped. */
const MAX_WAIT_DAYS = 30;
/** Quiet days after an incident, so the next one is judged against ordinary traffic. */
const COOL_OFF_DAYS = 3;
/** A stock-out this many days after a pair's incident is put down to that incident. */
const CAUSE_DAYS = 30;

/** Incident types a pair can be given (the rate applies per such pair). */
export function incidentTypesFor(product: Product, warehouse: Warehouse): IncidentType[] {
  return PAIR_TYPES.filter((t) => eligible(t, product, warehouse));
}

/**
 * Warehouse-wide ingestion gaps: one or two working days on which a site records nothing, about
 * `rate` times per warehouse per 30 days. Marks the days closed in each site's `activity` (no
 * demand, deliveries wait) and returns their labels.
 */
export function planIngestionGaps(seed: number, rate: number, sites: Site[], days: number): IncidentLabel[] {
  const labels: IncidentLabel[] = [];
  sites.forEach((site, s) => {
    const rng = new Rng(seed, 'gaps', s);
    let k = 8; // a gap needs a week of trade before it
    while (k < days - 2) {
      if (site.activity[k]! > 0 && rng.chance(rate / 30)) {
        const length = rng.chance(0.7) ? 1 : 2;
        for (let j = k; j < k + length; j++) site.activity[j] = 0;
        const start = site.clock.toUtc((site.firstDay + k) * DAY_MS);
        const end = site.clock.toUtc((site.firstDay + k + length) * DAY_MS) - 1;
        labels.push(
          makeLabel(
            seed,
            'DQ_INGESTION_GAP',
            { sku: null, warehouse_id: site.warehouse.warehouse_id },
            start,
            end,
            {
              also: ['stale_data'],
              rule_id: 'ingestion_gap',
              dark_days: length,
            },
          ),
        );
        k += length + 7;
      } else k++;
    }
  });
  return labels;
}

interface Drawn {
  type: IncidentType;
  day: number;
}

export class Injector {
  private readonly states = new Map<Pair, PairIncidents & { queue: Drawn[] }>();
  private lastRow: TransactionRow | undefined;

  constructor(
    private readonly seed: number,
    rate: number,
    skuIndex: number,
    pairs: readonly Pair[],
    days: number,
    private out: IncidentLabel[],
  ) {
    const rng = new Rng(seed, 'incidents', skuIndex);
    if (rate === 0) rate = -1; // nothing is drawn: chance(p ≤ 0) is never true
    for (const pair of pairs) {
      const queue: Drawn[] = [];
      for (const type of PAIR_TYPES) {
        const can = eligible(type, pair.product, pair.site.warehouse);
        // Drawn for every type, eligible or not, so one type's eligibility moves no other's days.
        for (let day = 1; day < days; day++) if (rng.chance(rate / 30) && can) queue.push({ type, day });
      }
      queue.sort((a, b) => a.day - b.day);
      this.states.set(pair, {
        queue,
        sales: 0,
        busy: false,
        idleFrom: 0,
        outSince: null,
        surge: null,
        surgeFrom: null,
        withheld: null,
        last: null,
      });
    }
  }

  /** Labels go to `out` from now on (the history hands out a batch and starts the next). */
  redirect(out: IncidentLabel[]): void {
    this.out = out;
  }

  /** Every row the pairs emit passes here (the volume rules' history, the event ids of labels). */
  seen(row: TransactionRow): void {
    this.lastRow = row;
    if (row.event_type === 'SALE') {
      for (const [pair, s] of this.states) if (pair.warehouseId === row.warehouse_id) s.sales++;
    }
  }

  /** The incident steps of a pair's local day `k`; `open` says whether it trades today. */
  steps(ctx: PairContext, pair: Pair, k: number, open: boolean, at: () => number): Array<Hook | Plan> {
    const s = this.states.get(pair)!;
    const env = this.env(ctx, pair, s, k, at);
    const steps: Array<Hook | Plan> = [];
    if (open && s.surge) {
      if (k > s.surge.untilDay) {
        // It never emptied the pair (receipts kept landing): no stock-out, no label.
        s.surge = null;
        this.settle(s, k);
      } else {
        const lines = ctx.rng.poisson(s.surge.linesPerDay * pair.site.activity[k]!);
        for (let i = 0; i < lines; i++) {
          const t = at();
          steps.push(hook(t, () => s.surge && this.surgeSale(env, t)));
        }
      }
    }
    if (open && s.withheld) this.lateBooking(env, steps);
    if (s.busy || k < s.idleFrom) return steps;
    const dow = weekday(pair.site.firstDay + k);
    for (let i = 0; i < s.queue.length && s.queue[i]!.day <= k; i++) {
      const drawn = s.queue[i]!;
      if (k - drawn.day > MAX_WAIT_DAYS) {
        s.queue.splice(i--, 1);
        continue;
      }
      const weekendType = drawn.type === 'WEEKEND_ACTIVITY';
      if (weekendType ? open || (dow !== 0 && dow !== 6) : !open) continue;
      const started = this.start(env, drawn.type);
      if (!started) continue;
      s.queue.splice(i, 1);
      steps.push(...started);
      if (!s.busy) s.idleFrom = k + 1 + COOL_OFF_DAYS;
      break;
    }
    return steps;
  }

  /** Takes over a plan the pair would apply; true when it did (a withheld receipt). */
  intercept(pair: Pair, plan: Plan, k: number): boolean {
    const w = this.states.get(pair)!.withheld;
    if (!w || plan.kind !== 'RESTOCK') return false;
    // Receiving stops booking: the goods arrive and are sold from, but no receipt is booked until
    // the fault is found, so on-hand runs behind and goes below zero.
    pair.onOrder -= plan.quantity;
    pair.unbooked += plan.quantity;
    if (w.phase === 'awaiting') {
      w.phase = 'withheld';
      w.sinceDay = k;
      w.reference = plan.reference;
      w.withheldAt = plan.at;
    }
    return true;
  }

  /** After every change of a pair: stock-outs start and end, a withheld receipt goes negative. */
  watch(pair: Pair, k: number): void {
    const s = this.states.get(pair)!;
    const t = pair.lastAt;
    if (s.withheld?.phase === 'withheld' && s.withheld.negativeSince === null && pair.onHand < 0) {
      s.withheld.negativeSince = t;
      s.withheld.negativeDay = k;
    }
    if (s.outSince === null) {
      if (pair.available > 0) return;
      s.outSince = t;
      // A surge has done what it was for: demand falls back, the pair waits for its receipt.
      if (s.surge) s.surgeFrom = s.surge.from;
      s.surge = null;
    } else if (pair.available >= largestLine(pair.product.demand.unitsPerSale)) {
      // Over only once an ordinary line can be served again: a returned unit is no restock.
      this.stockout(pair, s, s.outSince, Math.max(s.outSince, t - 1));
      s.outSince = null;
      if (s.busy && !s.surge && !s.withheld) this.settle(s, k);
    }
  }

  /** Labels of the incidents still open when the history ends. */
  finish(pairs: readonly Pair[]): void {
    for (const pair of pairs) {
      const s = this.states.get(pair)!;
      if (s.outSince !== null) this.stockout(pair, s, s.outSince, null);
      const negative = s.withheld?.negativeSince;
      if (negative != null && pair.onHand < 0) {
        const where = { sku: pair.product.sku, warehouse_id: pair.warehouseId };
        this.out.push(
          makeLabel(this.seed, 'NEGATIVE_STOCK', where, negative, null, {
            also: ['STOCKOUT_RISK'],
            reference: s.withheld!.reference,
            withheld_at: new Date(s.withheld!.withheldAt!).toISOString(),
          }),
          makeLabel(this.seed, 'DQ_NEGATIVE_ON_HAND', where, negative, null, {
            also: ['reserved_exceeds_on_hand'],
            rule_id: 'negative_on_hand',
          }),
        );
      }
    }
  }

  private env(ctx: PairContext, pair: Pair, s: PairIncidents, day: number, at: () => number): ShapeEnv {
    const dayStart = (pair.site.firstDay + day) * DAY_MS;
    return {
      ctx,
      pair,
      state: s,
      day,
      at,
      local: (second) => pair.site.clock.toUtc(dayStart + Math.floor(second * 1000)),
      lastRow: () => this.lastRow,
      label: (type, start, end, detail) => {
        const where = { sku: pair.product.sku, warehouse_id: pair.warehouseId };
        const also = (detail.also as string[] | undefined) ?? [];
        s.last = makeLabel(this.seed, type, where, start, end, { ...detail, also });
        this.out.push(s.last);
      },
    };
  }

  private settle(s: PairIncidents, k: number): void {
    s.busy = false;
    s.idleFrom = k + 1 + COOL_OFF_DAYS;
  }

  private start(env: ShapeEnv, type: IncidentType): Array<Hook | Plan> | null {
    const { pair, state: s } = env;
    if (type === 'STOCKOUT') {
      // A surge in demand, sized to empty the pair in about two and a half days whatever it
      // holds: faster than a reorder placed meanwhile can arrive (lead times are 2–35 days).
      if (pair.available <= 0) return null;
      const daily = pair.policy.dailyUnits;
      const units = Math.max(pair.available / 2.5, 2 * daily);
      s.surge = {
        from: env.local(0),
        linesPerDay: units / Math.max(1, pair.product.demand.unitsPerSale),
        untilDay: env.day + 14,
      };
      s.busy = true;
      return [];
    }
    if (type === 'NEGATIVE_STOCK') {
      s.withheld = {
        phase: 'awaiting',
        startDay: env.day,
        sinceDay: env.day,
        reference: '',
        withheldAt: null,
        negativeSince: null,
        negativeDay: 0,
      };
      s.busy = true;
      return [];
    }
    return DAY_STARTERS[type]!(env);
  }

  /** One extra line of a surge; the last units go too, so the pair really reaches zero. */
  private surgeSale(env: ShapeEnv, at: number): void {
    const { pair, ctx } = env;
    const q = lineLike(env);
    if (sell(env, q, at)) return;
    const rest = pair.available;
    if (rest <= 0) return;
    // A last customer takes what is left, when that is about a line; fewer units left than that
    // are written off at the count after the rush (a smaller sale would be a volume outlier).
    if (rest >= Math.floor(Math.max(1, pair.product.demand.unitsPerSale)) - 1) sell(env, rest, at);
    else if (
      pair.record(
        ctx,
        'ADJUSTMENT',
        -rest,
        at,
        `COUNT-${ctx.rng.int(100_000, 999_999)}`,
        'Bin empty at count: remainder written off',
      )
    )
      pair.onHand -= rest;
  }

  /**
   * Withheld receipts are booked the day after the books went negative, or after 45 days if they
   * never do (then they were only late, and get no label).
   */
  private lateBooking(env: ShapeEnv, steps: Array<Hook | Plan>): void {
    const { pair, state: s, day, ctx } = env;
    const w = s.withheld!;
    if (w.phase === 'awaiting') {
      if (day - w.startDay > 45) {
        s.withheld = null;
        this.settle(s, day);
      }
      return;
    }
    const due = w.negativeSince !== null ? day > w.negativeDay : day - w.sinceDay >= 45;
    if (!due) return;
    const at = env.at();
    steps.push(
      hook(at, () => {
        if (s.withheld !== w) return;
        const q = pair.unbooked;
        if (!pair.record(ctx, 'RESTOCK', q, at, w.reference, 'Purchase order received (booked late)')) return;
        pair.onHand += q;
        pair.unbooked = 0;
        if (w.negativeSince !== null)
          // The incident ends with the late booking, a receipt of several lots at once that the
          // value and volume rules rightly flag.
          env.label('NEGATIVE_STOCK', w.negativeSince, pair.lastAt, {
            also: ['STOCKOUT_RISK', 'HIGH_VALUE', 'VOLUME_ZSCORE', 'VOLUME_IQR'],
            reference: w.reference,
            withheld_at: new Date(w.withheldAt!).toISOString(),
            booked_late: q,
          });
        s.withheld = null;
        this.settle(s, day);
      }),
    );
  }

  private stockout(pair: Pair, s: PairIncidents, start: number, end: number | null): void {
    const last = s.last;
    const recent = last && start - last.start.getTime() <= CAUSE_DAYS * DAY_MS ? last : null;
    const cause = s.busy && !s.withheld ? 'demand_surge' : recent ? recent.type : 'none';
    const label = makeLabel(
      this.seed,
      'STOCKOUT',
      { sku: pair.product.sku, warehouse_id: pair.warehouseId },
      start,
      end,
      {
        also: ['RAPID_DEPLETION'],
        cause,
        ...(cause === 'demand_surge' && s.surgeFrom !== null
          ? { surge_start: new Date(s.surgeFrom).toISOString() }
          : {}),
        ...(recent && cause !== 'demand_surge' ? { caused_by: recent.incident_id } : {}),
      },
    );
    this.out.push(label);
    if (cause === 'demand_surge') s.last = label;
  }
}
