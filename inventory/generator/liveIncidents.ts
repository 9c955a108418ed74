/**
 * Labelled incidents in the live stream (`generate --to kafka --inject-anomalies RATE`, and the
 * demo feed of `wareflow start`): the history's incident shapes (incidentShapes.ts), timed in
 * event time, for the types that fit a live feed. LABELS.md ("Live stream") lists them.
 *
 * Injected events ride along the stream's own: they do not count towards its rate, so a burst
 * stays a burst at any rate (`isInjected` tells a publisher which ones they are).
 */
import type { EventType, InventoryEvent } from '../events/index.js';
import { ANOMALY_RULES as RULES } from '../rules/index.js';
import { DueQueue } from './dueQueue.js';
import { eligible } from './incidentShapes.js';
import { makeLabel, type IncidentLabel, type IncidentType } from './labels.js';
import type { Product, Warehouse } from './master.js';
import { Rng } from './random.js';
import { largestLine, lineUnits } from './shape.js';
import { DAY_MS, ZoneClock, dayIndex, weekday } from './zone.js';

/** What `liveEvents` is asked to inject (LiveOptions.injectAnomalies). */
export interface LiveInjection {
  /** About RATE incidents of each type per eligible pair per 30 simulated days, as in the history. */
  rate: number;
  /** Called with each label once its incident is complete. */
  onLabel?: (label: IncidentLabel) => void;
  /**
   * Incidents started with the feed's first events, of types and on pairs drawn as the rate's are,
   * before the rate takes over (the demo feed: its alert pages show a detection within minutes
   * instead of after the rate's first draw, some 20 minutes in). @defaultValue 0
   */
  openWith?: number;
}

/** The incident types the live stream injects. */
export const LIVE_INCIDENT_TYPES = [
  'VOLUME_ZSCORE',
  'VOLUME_IQR',
  'AFTER_HOURS',
  'WEEKEND_ACTIVITY',
  'HIGH_VALUE',
  'RAPID_DEPLETION',
  'FREQUENCY_SPIKE',
  'DQ_DUPLICATE_TRANSACTIONS',
] as const satisfies readonly IncidentType[];
type LiveType = (typeof LIVE_INCIDENT_TYPES)[number];

/** The part of a live pair an incident reads and moves. */
export interface LiveStock {
  sku: string;
  warehouseId: string;
  item: number;
  site: number;
  unitsPerSale: number;
  onHand: number;
  reserved: number;
}

/** What the live stream lends its incidents: its pairs, its clock of sites, and its event maker. */
export interface LiveHost {
  seed: number;
  products: readonly Product[];
  warehouses: readonly Warehouse[];
  pairs: readonly LiveStock[];
  openAt(site: number, t: number): boolean;
  /** An event of `pair` at `t`, with its stock moved. */
  emit(
    pair: LiveStock,
    type: EventType,
    change: number,
    t: number,
    reference: string,
    notes: string,
  ): InventoryEvent;
  /** Ordinary events per simulated day. */
  eventsPerDay: number;
}

const INJECTED = new WeakSet<InventoryEvent>();
/** Whether an event of the live stream was injected by an incident (and so is off its rate). */
export function isInjected(event: InventoryEvent): boolean {
  return INJECTED.has(event);
}

const MIN = 60_000;
interface Step {
  due: number;
  run(t: number): InventoryEvent[];
}
type Starter = (pair: LiveStock, t: number) => Step[] | null;

export class LiveIncidents {
  private readonly rng: Rng;
  private readonly steps = new DueQueue<Step>();
  private readonly outbox: InventoryEvent[] = [];
  private readonly busy = new Set<LiveStock>();
  private readonly clocks: ZoneClock[];
  /** Chance per ordinary event that an incident of each type starts, cumulative over the types. */
  private readonly chances: Array<[LiveType, number]> = [];
  private readonly starters: Record<LiveType, Starter>;
  /** Opening incidents still to start (`LiveInjection.openWith`). */
  private openers: number;

  constructor(
    private readonly options: LiveInjection,
    private readonly host: LiveHost,
  ) {
    this.rng = new Rng(host.seed, 'live-incidents');
    this.openers = options.openWith ?? 0;
    this.clocks = host.warehouses.map((w) => new ZoneClock(w.timezone));
    this.starters = {
      VOLUME_ZSCORE: (p, t) => this.volume('VOLUME_ZSCORE', p, t),
      VOLUME_IQR: (p, t) => this.volume('VOLUME_IQR', p, t),
      AFTER_HOURS: (p, t) => this.afterHours(p, t),
      WEEKEND_ACTIVITY: (p, t) => this.weekend(p, t),
      HIGH_VALUE: (p, t) => this.highValue(p, t),
      RAPID_DEPLETION: (p, t) => this.rapidDepletion(p, t),
      FREQUENCY_SPIKE: (p, t) => this.frequencySpike(p, t),
      DQ_DUPLICATE_TRANSACTIONS: (p, t) => this.duplicate(p, t),
    };
    let sum = 0;
    for (const type of LIVE_INCIDENT_TYPES) {
      const eligible = host.pairs.filter((p) => this.eligible(type, p)).length;
      sum += (options.rate * eligible) / (30 * host.eventsPerDay);
      this.chances.push([type, sum]);
    }
  }

  /** The next injected event due by `t`, if any. */
  next(t: number): InventoryEvent | undefined {
    while (this.outbox.length === 0 && (this.steps.peek()?.due ?? Infinity) <= t) {
      this.outbox.push(...this.steps.pop()!.run(t));
    }
    return this.outbox.shift();
  }

  /** After each ordinary event: perhaps an incident starts, on a pair that can have it now. */
  tick(t: number): void {
    if (this.openers > 0) {
      // An opening incident: the rate's types in turn from a random one, until one can start now.
      const first = this.rng.int(0, LIVE_INCIDENT_TYPES.length - 1);
      for (let i = 0; i < LIVE_INCIDENT_TYPES.length; i++) {
        if (this.start(LIVE_INCIDENT_TYPES[(first + i) % LIVE_INCIDENT_TYPES.length]!, t)) {
          this.openers--;
          return;
        }
      }
      return;
    }
    const draw = this.rng.next();
    const hit = this.chances.find(([, upTo]) => draw < upTo);
    if (hit) this.start(hit[0], t);
  }

  /** Starts an incident of `type` on a pair that can have it now, if one is found. */
  private start(type: LiveType, t: number): boolean {
    for (let attempt = 0; attempt < 20; attempt++) {
      const pair = this.rng.pick(this.host.pairs);
      if (this.busy.has(pair) || !this.eligible(type, pair)) continue;
      const steps = this.starters[type](pair, t);
      if (!steps) continue;
      this.busy.add(pair);
      steps.forEach((s) => this.steps.push(s));
      return true;
    }
    return false;
  }

  /** The history's eligibility (incidentShapes.ts), for the pair's product and site. */
  private eligible(type: LiveType, pair: LiveStock): boolean {
    return eligible(type, this.host.products[pair.item]!, this.host.warehouses[pair.site]!);
  }

  private label(
    type: IncidentType,
    pair: LiveStock,
    start: number,
    end: number,
    detail: IncidentLabel['detail'],
  ) {
    this.busy.delete(pair);
    this.options.onLabel?.(
      makeLabel(this.host.seed, type, { sku: pair.sku, warehouse_id: pair.warehouseId }, start, end, detail),
    );
  }

  private release(pair: LiveStock): InventoryEvent[] {
    this.busy.delete(pair);
    return [];
  }

  private injected(e: InventoryEvent): InventoryEvent {
    INJECTED.add(e);
    return e;
  }

  private sale(pair: LiveStock, q: number, t: number, notes = 'Sale transaction'): InventoryEvent {
    const reference = `ORDER-${this.rng.int(10_000_000, 99_999_999)}`;
    return this.injected(this.host.emit(pair, 'SALE', -q, t, reference, notes));
  }

  private available(pair: LiveStock): number {
    return pair.onHand - pair.reserved;
  }

  /** Local weekday (0 = Sunday) and second of the day of the pair's site at `t`. */
  private local(pair: LiveStock, t: number): { dow: number; second: number } {
    const wall = this.clocks[pair.site]!.wall(t);
    const day = dayIndex(wall);
    return { dow: weekday(day), second: Math.floor((wall - day * DAY_MS) / 1000) };
  }

  /** One step now: `make` returns the incident's events, or none when it no longer applies. */
  private once(pair: LiveStock, t: number, make: (t: number) => InventoryEvent[] | null): Step[] {
    return [{ due: t, run: (now) => make(now) ?? this.release(pair) }];
  }

  private volume(type: 'VOLUME_ZSCORE' | 'VOLUME_IQR', pair: LiveStock, t: number): Step[] | null {
    if (!this.host.openAt(pair.site, t)) return null;
    const big = largestLine(pair.unitsPerSale);
    const q = type === 'VOLUME_IQR' ? big + 2 : Math.max(big + 6, Math.ceil(big * this.rng.uniform(2.5, 5)));
    const cap = Math.min(
      0.4 * this.available(pair),
      (0.8 * RULES.highValue) / this.host.products[pair.item]!.unit_cost,
    );
    if (q > cap) return null;
    return this.once(pair, t, (now) => {
      const e = this.sale(pair, q, now);
      this.label(type, pair, now, now, {
        also: type === 'VOLUME_ZSCORE' ? ['VOLUME_IQR'] : [],
        event_id: e.eventId,
        quantity: -q,
        largest_ordinary_line: big,
      });
      return [e];
    });
  }

  /** An ordinary line booked at a site closed on a working day, at least half an hour from its hours. */
  private afterHours(pair: LiveStock, t: number): Step[] | null {
    const site = this.host.warehouses[pair.site]!;
    const { dow } = this.local(pair, t);
    if (!site.weekend_operation && (dow === 0 || dow === 6)) return null;
    if ([t, t - 30 * MIN, t + 30 * MIN].some((at) => this.host.openAt(pair.site, at))) return null;
    if (this.available(pair) < 2 * largestLine(pair.unitsPerSale)) return null;
    return this.once(pair, t, (now) => {
      const e = this.sale(pair, lineUnits(this.rng, pair.unitsPerSale), now);
      this.label('AFTER_HOURS', pair, now, now, { also: [], event_id: e.eventId });
      return [e];
    });
  }

  /** An ordinary line at midday on a weekend the site is closed. */
  private weekend(pair: LiveStock, t: number): Step[] | null {
    const { dow, second } = this.local(pair, t);
    if ((dow !== 0 && dow !== 6) || second < 10 * 3600 || second > 15 * 3600) return null;
    if (this.available(pair) < 2 * largestLine(pair.unitsPerSale)) return null;
    return this.once(pair, t, (now) => {
      const e = this.sale(pair, lineUnits(this.rng, pair.unitsPerSale), now);
      this.label('WEEKEND_ACTIVITY', pair, now, now, { also: [], event_id: e.eventId });
      return [e];
    });
  }

  /** An unplanned consignment worth two to five times the threshold. */
  private highValue(pair: LiveStock, t: number): Step[] | null {
    if (!this.host.openAt(pair.site, t)) return null;
    const cost = this.host.products[pair.item]!.unit_cost;
    const q = Math.ceil((this.rng.uniform(2, 5) * RULES.highValue) / cost);
    return this.once(pair, t, (now) => {
      const reference = `PO-${this.rng.int(100_000, 999_999)}`;
      const e = this.injected(
        this.host.emit(pair, 'RESTOCK', q, now, reference, 'Unplanned consignment received'),
      );
      this.label('HIGH_VALUE', pair, now, now, {
        also: ['VOLUME_ZSCORE', 'VOLUME_IQR'],
        event_id: e.eventId,
        quantity: q,
        value: Math.round(q * cost),
      });
      return [e];
    });
  }

  /** A run on the product: ordinary lines taking 60–75 % of the on-hand within 50 minutes. */
  private rapidDepletion(pair: LiveStock, t: number): Step[] | null {
    if (!this.host.openAt(pair.site, t) || !this.host.openAt(pair.site, t + 55 * MIN)) return null;
    const share = this.rng.uniform(0.6, 0.75);
    const mean = Math.max(1, pair.unitsPerSale);
    const target = Math.floor(share * pair.onHand);
    const lines = Math.ceil(target / mean);
    if (target > this.available(pair) || lines < 3 || lines > 200) return null;
    const big = largestLine(pair.unitsPerSale);
    const onHandBefore = pair.onHand;
    const offsets = Array.from({ length: lines + 2 }, () => this.rng.next() * 50 * MIN).sort((a, b) => a - b);
    let sold = 0;
    let first = NaN;
    return offsets.map((offset, i) => ({
      due: t + offset,
      run: (now) => {
        const q = Math.min(lineUnits(this.rng, pair.unitsPerSale), target - sold, this.available(pair));
        const out = q >= big - 1 ? [this.sale(pair, q, now)] : [];
        if (out.length) {
          sold += q;
          if (Number.isNaN(first)) first = now;
        }
        if (i === offsets.length - 1) {
          if (sold > 0.55 * onHandBefore)
            this.label('RAPID_DEPLETION', pair, first, now, {
              also: ['STOCKOUT_RISK'],
              on_hand_before: onHandBefore,
              sold,
              share: Math.round((sold / onHandBefore) * 1000) / 1000,
            });
          else this.busy.delete(pair);
        }
        return out;
      },
    }));
  }

  /**
   * A retry storm: an ordinary reservation, and 12–30 minutes later one order reserved and
   * cancelled again and again, 12–20 events at once (the lead-in gives the pair the baseline the
   * rule judges against, as in the history); the lead-in reservation is released after the storm.
   */
  private frequencySpike(pair: LiveStock, t: number): Step[] | null {
    const q = largestLine(pair.unitsPerSale);
    const leadIn = lineUnits(this.rng, pair.unitsPerSale);
    const burstAt = t + this.rng.uniform(12, 30) * MIN;
    if (!this.host.openAt(pair.site, t) || !this.host.openAt(pair.site, burstAt)) return null;
    if (this.available(pair) < 3 * q + leadIn) return null;
    const n = 2 * this.rng.int(6, 10);
    const reference = `ORDER-${this.rng.int(10_000_000, 99_999_999)}`;
    const leadInReference = `ORDER-${this.rng.int(10_000_000, 99_999_999)}`;
    const release = (now: number) =>
      this.injected(
        this.host.emit(pair, 'RESERVATION_RELEASE', -leadIn, now, leadInReference, 'Reservation cancelled'),
      );
    return [
      {
        due: t,
        run: (now) => [
          this.injected(
            this.host.emit(pair, 'RESERVATION', leadIn, now, leadInReference, 'Stock reserved for order'),
          ),
        ],
      },
      {
        due: burstAt,
        run: (now) => {
          const out: InventoryEvent[] = [];
          for (let i = 0; i < n; i++) {
            const reserve = i % 2 === 0;
            if (reserve ? q > this.available(pair) : pair.reserved < q) break;
            out.push(
              this.injected(
                reserve
                  ? this.host.emit(pair, 'RESERVATION', q, now, reference, 'Stock reserved for order')
                  : this.host.emit(pair, 'RESERVATION_RELEASE', -q, now, reference, 'Reservation cancelled'),
              ),
            );
          }
          if (out.length % 2 === 1)
            out.push(
              this.injected(
                this.host.emit(pair, 'RESERVATION_RELEASE', -q, now, reference, 'Reservation cancelled'),
              ),
            );
          out.push(release(now));
          this.label('FREQUENCY_SPIKE', pair, now, now, { also: [], events: out.length - 1, reference });
          return out;
        },
      },
    ];
  }

  /** A re-sent event: an ordinary sale that arrives twice under two event ids (both applied). */
  private duplicate(pair: LiveStock, t: number): Step[] | null {
    const q = lineUnits(this.rng, pair.unitsPerSale);
    if (!this.host.openAt(pair.site, t) || this.available(pair) < 2 * q + 2 * largestLine(pair.unitsPerSale))
      return null;
    return this.once(pair, t, (now) => {
      const original = this.sale(pair, q, now);
      const copy = this.host.emit(pair, 'SALE', -q, now, original.referenceId ?? '', original.notes ?? '');
      this.injected(copy);
      this.label('DQ_DUPLICATE_TRANSACTIONS', pair, now, now, {
        also: [],
        rule_id: 'duplicate_transactions',
        event_id: copy.eventId,
        duplicate_of: original.eventId,
      });
      return [original, copy];
    });
  }
}
