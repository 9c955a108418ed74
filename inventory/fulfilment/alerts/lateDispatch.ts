/**
 * The late-dispatch forecast (CONTRACT.md §10): when will an order in a warehouse's pick queue
 * leave, judging by its place in the queue and how fast the warehouse has been picking? Pure: the
 * store reads the queue and the warehouse's recent flow, the sidecar turns the verdicts into the
 * LATE_DISPATCH_RISK lifecycle.
 */
import {
  LATE_DISPATCH_CLEAR_MARGIN_MS,
  LATE_DISPATCH_OPEN_MARGIN_MS,
  type Severity,
} from '../../alerts/index.js';
import { addWorkingTime, workingTimeBetween, type WorkCalendar } from './workingTime.js';

const HOUR_MS = 3_600_000;

/**
 * The warehouse's current pick rate is its picks in this much of its latest working time (its
 * business hours, so a night or a weekend in between is no slowdown): long enough to hold a few
 * picks of a quiet warehouse, short enough to see a stoppage within the day.
 */
export const CURRENT_RATE_WINDOW_MS = 8 * HOUR_MS;
/**
 * The warehouse's history: with fewer than `MIN_PICKS_FOR_RATE` picks in the 7 days before, it is
 * new (or barely trades), its rate says nothing yet, and only a passed promise alerts.
 */
export const HISTORY_WINDOW_MS = 7 * 24 * HOUR_MS;
export const MIN_PICKS_FOR_RATE = 20;
/**
 * The forecast speaks for orders due within this much working time. Further ahead, how the queue
 * moves over the coming days says more than how fast it moves now: a busy afternoon's orders at
 * the back of the queue would all look late, and an ordinary warehouse reaches each order within
 * its promise anyway. Within it, a queue that is not moving is news.
 */
export const FORECAST_HORIZON_MS = 8 * HOUR_MS;

/**
 * An open order of the warehouse's pick queue at the forecast's instant: created, not cancelled,
 * not packed, not dispatched, with a promise.
 */
export interface QueuedOrder {
  orderId: string;
  warehouseId: string;
  promisedAt: number;
  createdAt: number;
  /** Lines not picked yet (at the forecast's instant). */
  unpickedLines: number;
  /** Lines with no stock held: a backorder waits for stock, not for the pickers. */
  unreservedLines: number;
  /** Its latest pick so far, if any. */
  lastPickAt: number | null;
}

/** How the warehouse has been working lately (the store counts, the caller's calendar sizes the windows). */
export interface WarehouseFlow {
  /** Lines picked in the `HISTORY_WINDOW_MS` before the forecast. */
  historyPicks: number;
  /** Lines picked in the last `CURRENT_RATE_WINDOW_MS` of working time. */
  recentPicks: number;
  /** Working time of that window, ms (the window itself, unless the calendar has none). */
  recentWorkingMs: number;
  /** Median time from an order's last pick to its dispatch in the history window; null with none. */
  pickToDispatchMs: number | null;
}

/** What the forecast says about one order. */
export interface DispatchForecast {
  orderId: string;
  warehouseId: string;
  promisedAt: number;
  /** Lines to pick before this order is complete: those of the orders ahead of it, and its own. */
  linesAhead: number;
  /** Lines picked per working hour now; null for a warehouse with too little history to say. */
  picksPerHour: number | null;
  /** When its last line is predicted to be picked (Infinity: nothing is being picked); null without a rate. */
  pickedBy: number | null;
  /** When it is predicted to leave (Infinity: not while nothing is picked); null without a rate. */
  dispatchBy: number | null;
  /**
   * `late`: the promise has passed and it has not left; `at_risk`: due within
   * `FORECAST_HORIZON_MS` of working time and predicted to leave at least
   * `LATE_DISPATCH_OPEN_MARGIN_MS` after its promise; `clear`: at least
   * `LATE_DISPATCH_CLEAR_MARGIN_MS` before it; `hold`: in between, further ahead, or nothing to
   * say (no rate, a backorder) — an open alert stays as it is.
   */
  verdict: 'late' | 'at_risk' | 'clear' | 'hold';
}

/**
 * The queue order: earliest promise first (then the oldest order, then the id), the order a
 * warehouse works to meet its promises. Sorts in place and returns the array.
 */
export function queueOrder<T extends Pick<QueuedOrder, 'promisedAt' | 'createdAt' | 'orderId'>>(
  orders: T[],
): T[] {
  return orders.sort(
    (a, b) =>
      a.promisedAt - b.promisedAt ||
      a.createdAt - b.createdAt ||
      (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0),
  );
}

/**
 * Forecasts every order of ONE warehouse's queue at `now`: an order is complete once the lines
 * ahead of it and its own are picked at the current rate, in the warehouse's working time, and
 * leaves the median pick-to-dispatch time later. Backorders are not in the queue (they hold no
 * stock) and get `hold`.
 */
export function forecastDispatch(
  queue: readonly QueuedOrder[],
  flow: WarehouseFlow,
  calendar: WorkCalendar,
  now: number,
): DispatchForecast[] {
  const rate =
    flow.historyPicks >= MIN_PICKS_FOR_RATE && flow.recentWorkingMs > 0
      ? flow.recentPicks / (flow.recentWorkingMs / HOUR_MS)
      : null;
  const allowance = flow.pickToDispatchMs ?? 0;
  let ahead = 0;
  return queueOrder([...queue]).map((o) => {
    const base = { orderId: o.orderId, warehouseId: o.warehouseId, promisedAt: o.promisedAt };
    if (o.unreservedLines > 0)
      return {
        ...base,
        linesAhead: 0,
        picksPerHour: rate,
        pickedBy: null,
        dispatchBy: null,
        verdict: 'hold',
      };
    ahead += o.unpickedLines;
    const linesAhead = ahead;
    let pickedBy: number | null = null;
    if (o.unpickedLines === 0) pickedBy = Math.max(now, o.lastPickAt ?? now);
    else if (rate === 0) pickedBy = Infinity;
    else if (rate !== null)
      pickedBy = addWorkingTime(calendar, now, (linesAhead / rate) * HOUR_MS) ?? Infinity;
    // A complete order waits only for its dispatch: no later than now plus the usual wait.
    const dispatchBy = pickedBy === null ? null : Math.max(now, pickedBy + allowance);
    const due = workingTimeBetween(calendar, now, o.promisedAt) <= FORECAST_HORIZON_MS;
    return {
      ...base,
      linesAhead,
      picksPerHour: rate,
      pickedBy,
      dispatchBy,
      verdict: verdictOf(o.promisedAt, due ? dispatchBy : null, now),
    };
  });
}

/**
 * The verdict of a forecast (see `DispatchForecast.verdict`); `dispatchBy` null: nothing to say
 * (no rate, or not due within the horizon).
 */
export function verdictOf(
  promisedAt: number,
  dispatchBy: number | null,
  now: number,
): DispatchForecast['verdict'] {
  if (now >= promisedAt) return 'late';
  if (dispatchBy === null) return 'hold';
  if (dispatchBy >= promisedAt + LATE_DISPATCH_OPEN_MARGIN_MS) return 'at_risk';
  if (dispatchBy <= promisedAt - LATE_DISPATCH_CLEAR_MARGIN_MS) return 'clear';
  return 'hold';
}

const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const hours = (ms: number) => `${Math.max(1, Math.round(ms / HOUR_MS))} h`;

/**
 * The alert of a `late` or `at_risk` forecast: high once the promise has passed (the customer is
 * already waiting), medium while it can still be caught up.
 */
export function lateDispatchAlert(
  f: DispatchForecast,
  now: number,
): { severity: Severity; message: string; details: Record<string, unknown> } {
  const rate = f.picksPerHour === null ? null : Math.round(f.picksPerHour * 10) / 10;
  const window = `${CURRENT_RATE_WINDOW_MS / HOUR_MS} working hours`;
  const queue =
    rate === null
      ? `${f.linesAhead} lines in the pick queue up to it`
      : rate === 0
        ? `${f.linesAhead} lines in the pick queue up to it, and nothing picked in the last ${window}`
        : `${f.linesAhead} lines in the pick queue up to it at ${rate} lines per working hour (last ${window})`;
  const leaves = f.dispatchBy !== null && Number.isFinite(f.dispatchBy) ? f.dispatchBy : null;
  const details = {
    orderId: f.orderId,
    promisedDispatchAt: new Date(f.promisedAt).toISOString(),
    predictedDispatchAt: leaves === null ? null : new Date(leaves).toISOString(),
    linesAhead: f.linesAhead,
    picksPerHour: f.picksPerHour,
    evaluatedAt: new Date(now).toISOString(),
  };
  if (f.verdict === 'late')
    return {
      severity: 'high',
      details,
      message:
        `Order ${f.orderId} at ${f.warehouseId} missed its promised dispatch (${when(f.promisedAt)}) ` +
        `and has not left: ${queue}. Pick and send it first, and tell the customer.`,
    };
  const forecast =
    leaves === null
      ? 'so it would not leave in time'
      : `so it would leave about ${when(leaves)}, ${hours(leaves - f.promisedAt)} late`;
  return {
    severity: 'medium',
    details,
    message:
      `Order ${f.orderId} at ${f.warehouseId} will likely miss its promised dispatch (${when(f.promisedAt)}): ` +
      `${queue}, ${forecast}. Pick it ahead of the queue, add pickers, or tell the customer.`,
  };
}

/** The alert of an order past its promise that has not left, judged without a forecast (`loadOverdueOrders`). */
export function overdueAlert(
  o: {
    orderId: string;
    warehouseId: string;
    promisedAt: number;
    unpickedLines: number;
    packedAt: number | null;
  },
  now: number,
): { severity: Severity; message: string; details: Record<string, unknown> } {
  const state =
    o.packedAt !== null
      ? `it was packed at ${when(o.packedAt)} and waits for the carrier. Call the carrier, and tell the customer.`
      : `${o.unpickedLines} of its lines still to pick. Pick and send it first, and tell the customer.`;
  return {
    severity: 'high',
    message: `Order ${o.orderId} at ${o.warehouseId} missed its promised dispatch (${when(o.promisedAt)}) and has not left: ${state}`,
    details: {
      orderId: o.orderId,
      promisedDispatchAt: new Date(o.promisedAt).toISOString(),
      packedAt: o.packedAt === null ? null : new Date(o.packedAt).toISOString(),
      unpickedLines: o.unpickedLines,
      evaluatedAt: new Date(now).toISOString(),
    },
  };
}
