import { Router } from 'express';
import type { DailyFulfilmentRow } from '../../inventory/fulfilment/index.js';
import type { RouteDeps } from '../deps.js';
import { h } from '../views/html.js';
import { layout } from '../views/layout.js';
import { formatPercent, formatQuantity } from '../views/quantities.js';
import { fulfilmentDays, fulfilmentQuery, pageQuery } from '../warehouseQueries.js';
import { pageContext } from './context.js';

/** `5.2 h` from seconds; empty without a value. */
const hours = (s: number | null) => (s === null ? '' : `${formatQuantity(s / 3600)} h`);
/** `2.4 d` from seconds; empty without a value. */
const days = (s: number | null) => (s === null ? '' : `${formatQuantity(s / 86_400)} d`);

/** The period's totals of one warehouse: counts add up, rates are recomputed from them. */
function totals(rows: readonly DailyFulfilmentRow[]) {
  const sum = (k: keyof DailyFulfilmentRow) => rows.reduce((n, r) => n + Number(r[k] ?? 0), 0);
  const units = sum('units_ordered');
  const due = sum('orders_due');
  return {
    orders: sum('orders_created'),
    fill: units > 0 ? sum('units_reserved_same_day') / units : null,
    backorders: sum('backorders'),
    due,
    onTime: due > 0 ? sum('dispatched_on_time') / due : null,
    delivered: sum('shipments_delivered'),
    exceptions: sum('exceptions'),
  };
}

/** Fulfilment per warehouse and day, as the daily ETL stored it (load_fulfilment_metrics). */
export function fulfilmentPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/fulfilment', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = fulfilmentQuery.parse(pageQuery(req.query));
    const period = fulfilmentDays(q);
    const [rows, facets] = await Promise.all([
      reads.readDailyFulfilmentMetrics({ ...period, warehouseId: q.warehouse_id }),
      reads.stockFacets(),
    ]);
    const warehouses = [...new Set(rows.map((x) => x.warehouse_id))].sort();
    res.send(
      layout(
        ctx,
        'Fulfilment',
        h`<h1>Fulfilment</h1>
          <p class="muted">
            Per warehouse and UTC day, from the order and shipment streams, written nightly by
            <a href="/dags/daily_inventory_etl">daily_inventory_etl</a> (load_fulfilment_metrics).
            On time: orders promised that day that left by their promise. Fill rate: ordered units reserved
            the day they were ordered; backorders: lines neither reserved nor cancelled by the day's end.
          </p>
          <form method="get" class="filters">
            <select name="warehouse_id" aria-label="Warehouse">
              <option value="">all warehouses</option>
              ${facets.warehouses.map(
                (w) => h`<option value="${w}" ${w === q.warehouse_id ? h` selected` : ''}>${w}</option>`,
              )}
            </select>
            <input name="days" type="number" min="1" max="366" value="${q.days}" aria-label="Days" />
            <button type="submit" class="btn secondary">Show</button>
          </form>
          ${
            rows.length === 0
              ? h`<p class="empty">No fulfilment metrics from ${period.fromDay} to ${period.toDay}.</p>`
              : h`<h2>${period.fromDay} – ${period.toDay}</h2>
                <table id="fulfilment-summary">
                  <thead><tr><th>Warehouse</th><th class="num">Orders</th><th class="num">Fill rate</th>
                    <th class="num">Backorders</th><th class="num">Due</th><th class="num">On time</th>
                    <th class="num">Delivered</th><th class="num">Exceptions</th></tr></thead>
                  <tbody>
                    ${warehouses.map((w) => {
                      const t = totals(rows.filter((x) => x.warehouse_id === w));
                      return h`<tr data-warehouse="${w}"><td>${w}</td><td class="num">${formatQuantity(t.orders)}</td>
                        <td class="num">${formatPercent(t.fill)}</td><td class="num">${formatQuantity(t.backorders)}</td>
                        <td class="num">${formatQuantity(t.due)}</td><td class="num">${formatPercent(t.onTime)}</td>
                        <td class="num">${formatQuantity(t.delivered)}</td><td class="num">${formatQuantity(t.exceptions)}</td></tr>`;
                    })}
                  </tbody>
                </table>
                <h2>By day</h2>
                <table id="fulfilment-days">
                  <thead><tr><th>Day</th><th>Warehouse</th><th class="num">Orders</th><th class="num">Fill rate</th>
                    <th class="num">Backorders</th><th class="num">Order → pick p50 / p95</th>
                    <th class="num">Pick → dispatch p50 / p95</th><th class="num">On time (due)</th>
                    <th class="num">Delivery p50 / p95</th><th class="num">Exceptions</th></tr></thead>
                  <tbody>
                    ${rows.map(
                      (x) => h`<tr data-day="${x.as_of_date}" data-warehouse="${x.warehouse_id}">
                        <td>${x.as_of_date}</td><td>${x.warehouse_id}</td>
                        <td class="num">${formatQuantity(x.orders_created)}</td>
                        <td class="num">${formatPercent(x.fill_rate)}</td>
                        <td class="num">${formatQuantity(x.backorders)}</td>
                        <td class="num">${hours(x.order_to_pick_p50_s)} / ${hours(x.order_to_pick_p95_s)}</td>
                        <td class="num">${hours(x.pick_to_dispatch_p50_s)} / ${hours(x.pick_to_dispatch_p95_s)}</td>
                        <td class="num">${formatPercent(x.on_time_dispatch_rate)} (${formatQuantity(x.orders_due)})</td>
                        <td class="num">${days(x.delivery_p50_s)} / ${days(x.delivery_p95_s)}</td>
                        <td class="num">${formatQuantity(x.exceptions)}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
          }`,
      ),
    );
  });

  return r;
}
