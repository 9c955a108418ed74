import { expect } from 'chai';
import type { FulfilmentMetrics } from '../../../inventory/fulfilment/index.js';

/**
 * The fulfilment metrics of a warehouse with no trade (counts 0; rates and times null, as there is
 * nothing to divide or rank), with `figures` in their place.
 */
export const fulfilmentMetrics = (
  warehouse_id: string,
  figures: Partial<FulfilmentMetrics> = {},
): FulfilmentMetrics => ({
  warehouse_id,
  orders_created: 0,
  lines_ordered: 0,
  units_ordered: 0,
  units_reserved_same_day: 0,
  fill_rate: null,
  backorders: 0,
  lines_picked: 0,
  order_to_pick_p50_s: null,
  order_to_pick_p95_s: null,
  shipments_dispatched: 0,
  pick_to_dispatch_p50_s: null,
  pick_to_dispatch_p95_s: null,
  orders_due: 0,
  dispatched_on_time: 0,
  on_time_dispatch_rate: null,
  shipments_delivered: 0,
  delivery_p50_s: null,
  delivery_p95_s: null,
  exceptions: 0,
  shipments_with_exception: 0,
  ...figures,
});

/** The counts a trade must have some of for a comparison of its figures to test more than zeros. */
const EXERCISED = [
  'orders_created',
  'backorders',
  'lines_picked',
  'shipments_dispatched',
  'orders_due',
  'dispatched_on_time',
  'shipments_delivered',
  'exceptions',
] as const;

/**
 * Asserts that a trade exercises every figure, given its total of each (`sum`): every count of
 * `EXERCISED` above 0, some orders due that did not leave on time, and some units ordered that
 * were not reserved the same day.
 */
export function expectEveryFigureExercised(
  sum: (figure: (typeof EXERCISED)[number] | 'units_ordered' | 'units_reserved_same_day') => number,
): void {
  for (const k of EXERCISED) expect(sum(k), k).to.be.greaterThan(0);
  expect(sum('orders_due')).to.be.greaterThan(sum('dispatched_on_time'));
  expect(sum('units_ordered')).to.be.greaterThan(sum('units_reserved_same_day'));
}
