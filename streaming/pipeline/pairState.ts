import { RESERVATION_TYPES, type EventType } from '../../inventory/events/index.js';
import type { LeadTimeDemand } from '../../inventory/analytics/index.js';
import type { OpenOrder, PairHistory, StoredLeadTimeDemand } from '../store/index.js';
import { SalesWindow } from './salesWindow.js';

/** How many recent changes (per event type) the volume rules compare against (SPEC §7). */
export const HISTORY_SIZE = 100;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A stored forecast older than this many days no longer stands for the pair's demand. */
export const FORECAST_MAX_AGE_DAYS = 7;

/**
 * The last HISTORY_SIZE changes of one event type, with running sums and a sorted copy kept up to
 * date on every change, so mean, spread and quartiles cost O(HISTORY_SIZE) at most per event
 * instead of a sort.
 */
export class VolumeHistory {
  readonly values: number[] = [];
  readonly sorted: number[] = [];
  private sum = 0;
  private sumSq = 0;

  get length(): number {
    return this.values.length;
  }
  get mean(): number {
    return this.sum / this.values.length;
  }
  /** Sample standard deviation. */
  get stdDev(): number {
    const n = this.values.length;
    if (n < 2) return 0;
    return Math.sqrt(Math.max(0, (this.sumSq - (this.sum * this.sum) / n) / (n - 1)));
  }

  push(x: number): void {
    this.values.push(x);
    this.sum += x;
    this.sumSq += x * x;
    this.sorted.splice(this.lowerBound(x), 0, x);
    if (this.values.length > HISTORY_SIZE) {
      const old = this.values.shift()!;
      this.sum -= old;
      this.sumSq -= old * old;
      this.sorted.splice(this.lowerBound(old), 1);
    }
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** What the stream remembers of an open alert of a pair (rebuilt from `analytics.alerts`). */
export interface OpenIncident {
  alertId: string;
  /** Its severity's rank: only an escalation above it is news. */
  rank: number;
  /** Its latest detection, in event time (ms). */
  lastSeenAt: number;
}

const dayKeys = new Map<string, string[]>();
/** The `days` UTC day keys ending with `day`, oldest first (cached: every pair asks for the same days). */
function lastDays(day: string, days: number): string[] {
  const cacheKey = `${day}|${days}`;
  let keys = dayKeys.get(cacheKey);
  if (!keys) {
    const end = Date.parse(`${day}T00:00:00Z`);
    keys = [];
    for (let i = days - 1; i >= 0; i--) keys.push(new Date(end - i * 86_400_000).toISOString().slice(0, 10));
    if (dayKeys.size > 64) dayKeys.clear();
    dayKeys.set(cacheKey, keys);
  }
  return keys;
}

let lastDay = NaN;
let lastDayKey = '';
/** The UTC day key ('YYYY-MM-DD') of an instant; sales arrive day after day, so the last one is kept. */
export function dayKey(t: number): string {
  const day = Math.floor(t / DAY_MS);
  if (day !== lastDay) {
    lastDay = day;
    lastDayKey = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  return lastDayKey;
}

/**
 * What the detectors of one (sku, warehouse) remember. Everything here can be rebuilt from the
 * warehouse (`fromHistory`), because the pair belongs to whichever instance owns its partition
 * and that owner changes with rebalances.
 *
 * The last-hour and last-minute figures are running sums over a queue in arrival order, pruned
 * by event time, so each event costs O(1) whatever the pair's rate. The queue is two arrays of
 * numbers (event time, on-hand change) rather than an object per event: nothing for the garbage
 * collector to trace or promote for an hour.
 */
export class PairState {
  onHand = 0;
  reserved = 0;
  /** Last HISTORY_SIZE quantity changes per event type. */
  readonly history = new Map<string, VolumeHistory>();
  /** Units sold per UTC day ('YYYY-MM-DD'). */
  readonly dailySales = new Map<string, number>();
  /** The pair's open alerts (incidents) per dedup key, as `IncidentLog` moves them. */
  readonly incidents = new Map<string, OpenIncident>();
  /** Latest event time seen. */
  maxEventTime = -Infinity;
  /**
   * Replenishment orders with units still to come (SPEC §5 on order): loaded with the pair,
   * refreshed from PostgreSQL now and then, and drawn down by the receipts this instance applies.
   */
  orders: OpenOrder[] = [];
  /**
   * Whether the pair is in a rapid-depletion or frequency-spike episode: those rules report the
   * event that starts an episode, not every event during it. A rebuild sets them from the
   * replayed trailing hour (`resumeEpisodes`).
   */
  depleting = false;
  spiking = false;
  /**
   * The pair's newest demand forecast loaded from `analytics.lead_time_demand` (`loadForecasts`):
   * its demand over the lead time for the days after the one it was made on. Used by an event
   * of a later day (at most FORECAST_MAX_AGE_DAYS later), else the 30-day window stands in.
   */
  forecast: StoredLeadTimeDemand | null = null;
  /** The forecast day last asked of PostgreSQL, and when (event time), so a missing one is not asked for on every chunk. */
  forecastAsked = { want: -Infinity, at: -Infinity };

  /** The 30 days of `dailySales` ending on the latest event's day, for `stockoutRisk`. */
  private readonly salesWindow = new SalesWindow();
  private readonly recentT: number[] = [];
  private readonly recentDelta: number[] = [];
  private hourHead = 0;
  private minuteHead = 0;
  private hourOnHandDelta = 0;
  private hourOutflow = 0;
  private hourOutflows = 0;

  constructor(
    readonly sku: string,
    readonly warehouseId: string,
  ) {}

  static fromHistory(
    sku: string,
    warehouseId: string,
    h: PairHistory,
    severityRank: (s: string) => number,
  ): PairState {
    const s = new PairState(sku, warehouseId);
    // Replay the recent rows from the levels before them, so the running sums match and the
    // levels end where PostgreSQL has them.
    let onHandDelta = 0;
    let reservedDelta = 0;
    for (const r of h.recent) {
      if (RESERVATION_TYPES.has(r.eventType as EventType)) reservedDelta += r.quantityChange;
      else onHandDelta += r.quantityChange;
    }
    s.onHand = h.onHand - onHandDelta;
    s.reserved = h.reserved - reservedDelta;
    for (const r of h.recent) s.observe(r.eventType, r.quantityChange, r.occurredAt.getTime());
    s.dailySales.clear();
    for (const [day, units] of h.dailySales) s.dailySales.set(day, units);
    for (const [key, a] of h.openAlerts)
      s.incidents.set(key, {
        alertId: a.alertId,
        rank: severityRank(a.severity),
        lastSeenAt: a.lastSeenAt.getTime(),
      });
    s.orders = h.orders;
    return s;
  }

  /**
   * What is on order at event time `t` (SPEC §5): units of the open orders placed at or before `t`
   * and not cancelled by then, and the days from `t` to the earliest one's expected arrival (null
   * with nothing on order). An order placed after `t` does not count, so a replayed history is
   * judged as it was.
   */
  onOrderAt(t: number): { units: number; daysToNextReceipt: number | null } {
    let units = 0;
    let next = Infinity;
    for (const o of this.orders) {
      if (o.orderedAt > t || (o.cancelledAt !== null && o.cancelledAt <= t)) continue;
      units += o.remaining;
      if (o.expectedAt < next) next = o.expectedAt;
    }
    return { units, daysToNextReceipt: units > 0 ? (next - t) / DAY_MS : null };
  }

  /** A receipt (RESTOCK / TRANSFER_IN) with `reference` draws its order down; a fully received order is dropped. */
  receive(reference: string | null, units: number): void {
    if (reference === null || this.orders.length === 0) return;
    const i = this.orders.findIndex((o) => o.reference === reference);
    if (i < 0) return;
    const o = this.orders[i]!;
    const left = o.remaining - units;
    if (left > 0) this.orders[i] = { ...o, remaining: left };
    else this.orders.splice(i, 1);
  }

  /**
   * Demand over the lead time at the latest event (SPEC §5 `leadTimeDemand`): the stored forecast
   * when one made on an earlier day applies (`forecastFor`), else the running 30-day window
   * ending on the latest event's day.
   */
  leadTimeDemand(leadTimeDays: number): LeadTimeDemand {
    const forecast = this.forecastFor(leadTimeDays);
    if (forecast) return forecast;
    this.moveWindow();
    return this.salesWindow.leadTimeDemand(leadTimeDays);
  }

  /**
   * The stored forecast that applies at the latest event: made at the end of an earlier UTC day,
   * at most FORECAST_MAX_AGE_DAYS before, for this lead time; else null.
   */
  forecastFor(leadTimeDays: number): LeadTimeDemand | null {
    const f = this.applicableForecast(leadTimeDays);
    return f ? { mean: f.mean, sigma: f.sigma } : null;
  }

  /** Days of sales the applicable forecast was trained on; 0 without one (the 30-day window stands in). */
  forecastHistoryDays(leadTimeDays: number): number {
    return this.applicableForecast(leadTimeDays)?.trainingDays ?? 0;
  }

  private applicableForecast(leadTimeDays: number): StoredLeadTimeDemand | null {
    const f = this.forecast;
    if (!f || f.leadTimeDays !== leadTimeDays) return null;
    const today = Math.floor(this.maxEventTime / DAY_MS);
    return f.day < today && f.day >= today - FORECAST_MAX_AGE_DAYS ? f : null;
  }

  /**
   * The forecast day worth asking PostgreSQL for at event time `t` (the day before t's), or null
   * when the pair holds it already or asked for it less than an hour of event time ago (the
   * night's forecast is written a little after midnight).
   */
  forecastToAsk(t: number): number | null {
    const want = Math.floor(t / DAY_MS) - 1;
    if (this.forecast && this.forecast.day >= want) return null;
    if (this.forecastAsked.want === want && t < this.forecastAsked.at + HOUR_MS) return null;
    return want;
  }

  private moveWindow(): void {
    this.salesWindow.moveTo(Math.floor(this.maxEventTime / DAY_MS), this.salesOfDay);
  }

  /** Units sold on a UTC day number (one function per pair, not one per change). */
  private readonly salesOfDay = (d: number): number =>
    Math.max(0, this.dailySales.get(dayKey(d * DAY_MS)) ?? 0);

  /** Events in the last hour before the newest one (inclusive), and in its last minute. */
  get hourCount(): number {
    return this.recentT.length - this.hourHead;
  }
  get minuteCount(): number {
    return this.recentT.length - this.minuteHead;
  }
  /** Event time of the oldest event within the trailing hour (the newest event's time at least). */
  get oldestInHour(): number {
    return this.recentT[this.hourHead] ?? this.maxEventTime;
  }
  /** On-hand at the start of the trailing hour. */
  get onHandHourAgo(): number {
    return this.onHand - this.hourOnHandDelta;
  }
  /** Units that left on-hand during the trailing hour. */
  get outflowLastHour(): number {
    return this.hourOutflow;
  }
  /** Events that took units out of on-hand during the trailing hour. */
  get outflowsLastHour(): number {
    return this.hourOutflows;
  }

  /** The volume history of one event type, if any was seen. */
  changes(eventType: string): VolumeHistory | undefined {
    return this.history.get(eventType);
  }

  /** Records an applied event: levels, volume history, trailing hour and minute, daily sales. */
  observe(eventType: string, change: number, t: number): void {
    const reservation = RESERVATION_TYPES.has(eventType as EventType);
    const onHandDelta = reservation ? 0 : change;
    if (reservation) this.reserved += change;
    else this.onHand += change;

    let h = this.history.get(eventType);
    if (!h) this.history.set(eventType, (h = new VolumeHistory()));
    h.push(change);

    if (eventType === 'SALE') {
      const day = dayKey(t);
      const units = (this.dailySales.get(day) ?? 0) - change;
      this.dailySales.set(day, units);
      this.salesWindow.set(Math.floor(t / DAY_MS), Math.max(0, units));
    }

    if (t > this.maxEventTime) this.maxEventTime = t;
    this.recentT.push(t);
    this.recentDelta.push(onHandDelta);
    this.hourOnHandDelta += onHandDelta;
    if (onHandDelta < 0) {
      this.hourOutflow -= onHandDelta;
      this.hourOutflows++;
    }
    this.prune();
  }

  private prune(): void {
    const now = this.maxEventTime;
    const times = this.recentT;
    while (this.hourHead < times.length && times[this.hourHead]! <= now - HOUR_MS) {
      const delta = this.recentDelta[this.hourHead++]!;
      this.hourOnHandDelta -= delta;
      if (delta < 0) {
        this.hourOutflow += delta;
        this.hourOutflows--;
      }
    }
    if (this.minuteHead < this.hourHead) this.minuteHead = this.hourHead;
    while (this.minuteHead < times.length && times[this.minuteHead]! <= now - MINUTE_MS) this.minuteHead++;
    if (this.hourHead > 1024 && this.hourHead * 2 > times.length) {
      times.splice(0, this.hourHead);
      this.recentDelta.splice(0, this.hourHead);
      this.minuteHead -= this.hourHead;
      this.hourHead = 0;
    }
  }

  /**
   * The SPEC §5 stock-out risk now, over the 30 days of sales ending on the latest event's day
   * (as `computeMetrics` of `salesSeries` would give it, up to rounding): cheap enough to ask
   * after every change.
   */
  stockoutRisk(leadTimeDays: number): number {
    this.moveWindow();
    return this.salesWindow.stockoutRisk(this.onHand - this.reserved, leadTimeDays);
  }

  /**
   * Mean units sold per day over the four weeks (28 UTC days) before the latest event's day: the
   * pair's ordinary trade, today's excluded; 0 before any event.
   */
  ordinaryDailySales(days = 28): number {
    if (!Number.isFinite(this.maxEventTime)) return 0;
    const yesterday = new Date((Math.floor(this.maxEventTime / DAY_MS) - 1) * DAY_MS)
      .toISOString()
      .slice(0, 10);
    let sum = 0;
    for (const d of lastDays(yesterday, days)) sum += Math.max(0, this.dailySales.get(d) ?? 0);
    return sum / days;
  }

  /** The last `days` UTC days of sales ending with `day` (oldest first), zeros included. */
  salesSeries(day: string, days = 30): number[] {
    const keys = lastDays(day, days);
    const out = keys.map((d) => Math.max(0, this.dailySales.get(d) ?? 0));
    if (this.dailySales.size > days + 7) {
      for (const d of this.dailySales.keys()) if (d < keys[0]!) this.dailySales.delete(d);
    }
    return out;
  }
}
