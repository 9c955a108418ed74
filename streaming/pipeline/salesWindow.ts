import {
  WINDOW_DAYS,
  expectedDailyDemand,
  leadTimeDemand,
  leadTimeSigma,
  stockoutRisk,
  type LeadTimeDemand,
} from '../../inventory/analytics/index.js';

/** Mean of the day indexes 0 … 29, and Σ (i − mean)²: the least-squares slope's terms. */
const INDEX_MEAN = (WINDOW_DAYS - 1) / 2;
const INDEX_SPREAD = (WINDOW_DAYS * (WINDOW_DAYS ** 2 - 1)) / 12;
const LAST_WEEK = WINDOW_DAYS - 7;

/**
 * The SPEC §5 sales window of one pair, the 30 daily values ending on one UTC day, with running
 * sums, so its stock-out risk after a change costs a few operations instead of a pass over the
 * series. Sales are whole units, so the sums are exact; the risk can differ from
 * `computeMetrics` only in the last bits of the floating-point steps after them. It is a screen:
 * an alert is decided with `computeMetrics`.
 */
export class SalesWindow {
  private readonly values = new Float64Array(WINDOW_DAYS);
  /** UTC day number (days since the epoch) of the last value; NaN until placed. */
  private endDay = NaN;
  private sum = 0;
  private sumLastWeek = 0;
  private sumSq = 0;
  /** Σ i · value(i), i = 0 for the oldest day. */
  private sumIndexed = 0;

  /** Makes `day` the window's last day, reading every value anew (`read(day)`) when it moves. */
  moveTo(day: number, read: (day: number) => number): void {
    if (day === this.endDay || !Number.isFinite(day)) return;
    this.endDay = day;
    this.values.fill(0);
    this.sum = this.sumLastWeek = this.sumSq = this.sumIndexed = 0;
    for (let d = day - WINDOW_DAYS + 1; d <= day; d++) this.set(d, read(d));
  }

  /** Sets the units sold on `day`; a day outside the window (or before it is placed) is ignored. */
  set(day: number, units: number): void {
    const i = WINDOW_DAYS - 1 - (this.endDay - day);
    if (!(i >= 0 && i < WINDOW_DAYS)) return;
    const before = this.values[i]!;
    const delta = units - before;
    this.values[i] = units;
    this.sum += delta;
    if (i >= LAST_WEEK) this.sumLastWeek += delta;
    this.sumSq += units * units - before * before;
    this.sumIndexed += i * delta;
  }

  /** Stock-out risk (SPEC §5) with `available` units and a lead time of `leadTimeDays`. */
  stockoutRisk(available: number, leadTimeDays: number): number {
    const { mu, volatility } = this.stats(leadTimeDays);
    return stockoutRisk(available, mu * leadTimeDays, leadTimeSigma(volatility, leadTimeDays));
  }

  /** Demand over the lead time (SPEC §5 `leadTimeDemand`) from the window's statistics. */
  leadTimeDemand(leadTimeDays: number): LeadTimeDemand {
    const { mu, volatility } = this.stats(leadTimeDays);
    return leadTimeDemand({ expectedDailyDemand: mu, volatility, leadTimeDays });
  }

  private stats(leadTimeDays: number): { mu: number; volatility: number } {
    const n = WINDOW_DAYS;
    const volatility = Math.sqrt(Math.max(0, (this.sumSq - (this.sum * this.sum) / n) / (n - 1)));
    const slope = (this.sumIndexed - INDEX_MEAN * this.sum) / INDEX_SPREAD;
    const mu = expectedDailyDemand(this.sumLastWeek / 7, this.sum / n, slope, leadTimeDays);
    return { mu, volatility };
  }
}
