import type { FulfilmentMetrics } from '../../inventory/fulfilment/index.js';
import { h, type SafeHtml } from './html.js';
import { formatPercent, formatQuantity } from './quantities.js';

/** `5.2 h` from seconds; empty without a value. */
const hours = (s: number | null) => (s === null ? '' : `${formatQuantity(s / 3600)} h`);
/** `2.4 d` from seconds; empty without a value. */
const days = (s: number | null) => (s === null ? '' : `${formatQuantity(s / 86_400)} d`);

/**
 * The header cells of one period's fulfilment figures, the same in every table of the page (a
 * day, today so far, a stream window): what the definition computes, CONTRACT.md §8.
 */
export const FIGURE_HEADERS: SafeHtml = h`<th class="num">Orders</th><th class="num">Fill rate</th>
  <th class="num">Backorders</th><th class="num">Order → pick p50 / p95</th>
  <th class="num">Pick → dispatch p50 / p95</th><th class="num">On time (due)</th>
  <th class="num">Delivery p50 / p95</th><th class="num">Exceptions</th>`;

/** The cells of one period's figures, in the order of FIGURE_HEADERS. */
export function figureCells(x: FulfilmentMetrics): SafeHtml {
  return h`<td class="num">${formatQuantity(x.orders_created)}</td>
    <td class="num">${formatPercent(x.fill_rate)}</td>
    <td class="num">${formatQuantity(x.backorders)}</td>
    <td class="num">${hours(x.order_to_pick_p50_s)} / ${hours(x.order_to_pick_p95_s)}</td>
    <td class="num">${hours(x.pick_to_dispatch_p50_s)} / ${hours(x.pick_to_dispatch_p95_s)}</td>
    <td class="num">${formatPercent(x.on_time_dispatch_rate)} (${formatQuantity(x.orders_due)})</td>
    <td class="num">${days(x.delivery_p50_s)} / ${days(x.delivery_p95_s)}</td>
    <td class="num">${formatQuantity(x.exceptions)}</td>`;
}
