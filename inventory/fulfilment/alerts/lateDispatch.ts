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
import { addWorkingTime, type WorkCalendar } from './workingTime.js';

const HOUR_MS = 3_600_000;

/** Working time the pick rate is measured over, ending at the forecast's instant. */
export const PICK_RATE_WINDOW_MS = 7 * 24 * HOUR_MS;
/** Fewer picks than this in the window: the rate says too little, and only a passed promise alerts. */
export const MIN_PICKS_FOR_RATE = 20;

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

/** How the warehouse has been working lately (the store measures it over `PICK_RATE_WINDOW_MS`). */
export interface WarehouseFlow {
  /** Lines picked in the window. */
  picks: number;
  /** Working time in the window, ms. */
  workingMs: number;
  /** Median time from an order's last pick to its dispatch in the window; null with no dispatch. */
  pickToDispatchMs: number | null;
}

/** What the forecast says about one order. */
export interface DispatchForecast {
  orderId: string;
  warehouseId: string;
  promisedAt: number;
  /** Lines to pick before this order is complete: those of the orders ahead of it, and its own. */
  linesAhead: number;
  /** Lines picked per working hour; null when the window holds too few picks to say. */
  picksPerHour: number | null;
  /** When its last line is predicted to be picked; null without a rate. */
  pickedBy: number | null;
  /** When it is predicted to leave; null without a rate. */
  dispatchBy: number | null;
  /**
   * `late`: the promise has passed and it has not left; `at_risk`: predicted to leave at least
   * `LATE_DISPATCH_OPEN_MARGIN_MS` after its promise; `clear`: at least
   * `LATE_DISPATCH_CLEAR_MARGIN_MS` before it; `hold`: in between, or nothing to say (no rate, a
   * backorder) — an open alert stays as it is.
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
 * ahead of it and its own are picked at the measured rate, in the warehouse's working time, and
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
    flow.picks >= MIN_PICKS_FOR_RATE && flow.workingMs > 0 ? flow.picks / (flow.workingMs / HOUR_MS) : null;
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
    else if (rate !== null) pickedBy = addWorkingTime(calendar, now, (linesAhead / rate) * HOUR_MS);
    // A complete order waits only for its dispatch: no later than now plus the usual wait.
    const dispatchBy = pickedBy === null ? null : Math.max(now, pickedBy + allowance);
    return {
      ...base,
      linesAhead,
      picksPerHour: rate,
      pickedBy,
      dispatchBy,
      verdict: verdictOf(o.promisedAt, dispatchBy, now),
    };
  });
}

/** The verdict of a forecast (see `DispatchForecast.verdict`). */
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
  const queue =
    rate === null
      ? `${f.linesAhead} lines in the pick queue up to it`
      : `${f.linesAhead} lines in the pick queue up to it at ${rate} lines per working hour (last 7 days)`;
  const details = {
    orderId: f.orderId,
    promisedDispatchAt: new Date(f.promisedAt).toISOString(),
    predictedDispatchAt: f.dispatchBy === null ? null : new Date(f.dispatchBy).toISOString(),
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
  return {
    severity: 'medium',
    details,
    message:
      `Order ${f.orderId} at ${f.warehouseId} will likely miss its promised dispatch (${when(f.promisedAt)}) ` +
      `by about ${hours((f.dispatchBy ?? f.promisedAt) - f.promisedAt)}: ${queue}, so it would leave about ` +
      `${when(f.dispatchBy ?? f.promisedAt)}. Pick it ahead of the queue or add pickers.`,
  };
}
