/**
 * The stock checks the two stock-out detectors make, replayed from a pair's stored history
 * (store/stockoutHistory.ts) for the threshold curve (alertThresholds.ts):
 * - `streamChecks`: the stream's STOCKOUT_RISK after every event, with the stored forecast made on
 *   an earlier day (at most a week before) — as the sidecar judges (streaming/pipeline/detect.ts);
 * - `lowStockChecks`: the low_stock_alerts DAG every six hours, at the interval end, with the
 *   newest processed metrics of a day before it (at most eight days) and the demand they were
 *   planned on — as recordLowStockAlerts judges.
 * Both count what is on order at the instant (open orders drawn down by their receipts) and the
 * stored-level moves without a ledger row. A check without a demand to judge by has z null; one
 * whose forecast rests on fewer than four weeks of sales does not warn.
 */
import { STOCKOUT_WARNING_MIN_HISTORY_DAYS } from '../alerts/index.js';
import { stockoutZ } from '../analytics/index.js';
import type { StockCheck } from './alertThresholds.js';
import type { PairStockHistory, ReplayDemand, ReplayOrder } from './store/stockoutHistory.js';

const DAY_MS = 86_400_000;
const SIX_HOURS_MS = 6 * 3_600_000;
/** The stream uses a forecast at most this many days old (streaming FORECAST_MAX_AGE_DAYS). */
const FORECAST_MAX_AGE_DAYS = 7;
/** The low-stock check reads metrics of the days D − 8 … D − 1. */
const METRICS_MAX_AGE_DAYS = 8;

/** Units on order at `t` and days to the earliest expected receipt, `received` per reference so far. */
function onOrderAt(orders: readonly ReplayOrder[], received: Map<string, number>, t: number) {
  let units = 0;
  let next = Infinity;
  for (const o of orders) {
    if (o.orderedAt > t || (o.cancelledAt !== null && o.cancelledAt <= t)) continue;
    const left = o.quantity - (received.get(o.reference) ?? 0);
    if (left <= 0) continue;
    units += left;
    if (o.expectedAt < next) next = o.expectedAt;
  }
  return { units, daysToNextReceipt: units > 0 ? (next - t) / DAY_MS : null };
}

/** The newest demand of a day in [day − maxAge, day − 1], for the lead time; null if none. */
function demandBefore(list: readonly ReplayDemand[], day: number, maxAge: number, lead: number) {
  for (let i = list.length - 1; i >= 0; i--) {
    const d = list[i]!;
    if (d.day >= day) continue;
    if (d.day < day - maxAge) return null;
    return d.leadTimeDays === lead ? d : null;
  }
  return null;
}

function zOf(
  h: PairStockHistory,
  available: number,
  order: ReturnType<typeof onOrderAt>,
  demand: ReplayDemand | null,
) {
  if (!demand) return null;
  return stockoutZ(
    {
      available,
      onOrder: order.units,
      daysToNextReceipt: order.daysToNextReceipt,
      leadTimeDays: h.leadTimeDays,
    },
    { mean: demand.mean, sigma: demand.sigma },
  );
}

/** Whether a check on this demand may warn: a forecast trained on enough history (`isStockoutAlert`). */
const warns = (demand: ReplayDemand | null) =>
  demand !== null && demand.trainingDays >= STOCKOUT_WARNING_MIN_HISTORY_DAYS;

/** A cursor over the pair's ledger: levels and receipts up to an instant, shifts included. */
class Ledger {
  onHand = 0;
  reserved = 0;
  readonly received = new Map<string, number>();
  private next = 0;
  private nextShift = 0;
  constructor(private readonly h: PairStockHistory) {}

  /** Applies the level moves at or before `t`. */
  private shiftTo(t: number, inclusive: boolean): void {
    const shifts = this.h.shifts;
    while (
      this.nextShift < shifts.length &&
      (inclusive ? shifts[this.nextShift]!.at <= t : shifts[this.nextShift]!.at < t)
    )
      this.onHand += shifts[this.nextShift++]!.change;
  }

  /** Applies the next event; returns it, or undefined at the end. */
  step() {
    const e = this.h.events[this.next];
    if (!e) return undefined;
    this.shiftTo(e.at, true);
    this.next++;
    this.onHand += e.onHand;
    this.reserved += e.reserved;
    if (e.receipt !== null) this.received.set(e.receipt, (this.received.get(e.receipt) ?? 0) + e.onHand);
    return e;
  }

  /** Applies every event (and level move) before `t`. */
  until(t: number): void {
    while (this.next < this.h.events.length && this.h.events[this.next]!.at < t) this.step();
    this.shiftTo(t, false);
  }
}

/** The stream's checks: one after every event (the opening stock count excepted). */
export function streamChecks(h: PairStockHistory): StockCheck[] {
  const ledger = new Ledger(h);
  const checks: StockCheck[] = [];
  for (let e = ledger.step(); e; e = ledger.step()) {
    if (e.opening) continue;
    const available = ledger.onHand - ledger.reserved;
    const order = onOrderAt(h.orders, ledger.received, e.at);
    const demand = demandBefore(
      h.forecasts,
      Math.floor(e.at / DAY_MS),
      FORECAST_MAX_AGE_DAYS,
      h.leadTimeDays,
    );
    checks.push({ at: e.at, available, z: zOf(h, available, order, demand), warns: warns(demand) });
  }
  return checks;
}

/** The low-stock checks: at every six-hour boundary in (from, to], on the stock before it. */
export function lowStockChecks(h: PairStockHistory, from: number, to: number): StockCheck[] {
  const ledger = new Ledger(h);
  const checks: StockCheck[] = [];
  for (let t = Math.ceil((from + 1) / SIX_HOURS_MS) * SIX_HOURS_MS; t <= to; t += SIX_HOURS_MS) {
    ledger.until(t);
    const metrics = demandBefore(h.metrics, Math.floor(t / DAY_MS), METRICS_MAX_AGE_DAYS, h.leadTimeDays);
    if (!metrics) continue;
    const available = ledger.onHand - ledger.reserved;
    const order = onOrderAt(h.orders, ledger.received, t - 1);
    checks.push({
      at: t,
      available,
      z: zOf(h, available, order, metrics),
      warns: warns(metrics),
      position: available + order.units,
      reorderPoint: metrics.reorderPoint ?? 0,
    });
  }
  return checks;
}
