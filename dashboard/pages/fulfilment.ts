import { Router } from 'express';
import type { DailyFulfilmentRow } from '../../inventory/fulfilment/index.js';
import { FULFILMENT_WINDOW_KINDS } from '../../streaming/index.js';
import type { RouteDeps } from '../deps.js';
import { formatTime } from '../views/format.js';
import { FIGURE_HEADERS, figureCells } from '../views/fulfilmentFigures.js';
import { h } from '../views/html.js';
import { layout } from '../views/layout.js';
import { formatPercent, formatQuantity } from '../views/quantities.js';
import { fulfilmentDays, fulfilmentLive, fulfilmentQuery, pageQuery } from '../warehouseQueries.js';
import { pageContext } from './context.js';

/** How the window selector names each kind. */
const KIND_LABELS: Readonly<Record<string, string>> = { tumbling_15m: '15 minutes', tumbling_1h: '1 hour' };
/** `14:00–15:00` of a window (UTC), with its day when it is not today's. */
function windowLabel(start: Date, end: Date, now: number): string {
  const day = start.toISOString().slice(0, 10);
  const time = (d: Date) => d.toISOString().slice(11, 16);
  const today = new Date(now).toISOString().slice(0, 10);
  return `${day === today ? '' : `${day} `}${time(start)}–${time(end)}`;
}

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

/**
 * Fulfilment per warehouse: today so far and the stream's windows of the last hours (live), beside
 * the days the daily ETL stored (load_fulfilment_metrics) — all from the one definition.
 */
export function fulfilmentPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/fulfilment', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = fulfilmentQuery.parse(pageQuery(req.query));
    const now = Date.now();
    const period = fulfilmentDays(q, now);
    const live = fulfilmentLive(q, now);
    const [rows, facets, today, windows] = await Promise.all([
      reads.readDailyFulfilmentMetrics({ ...period, warehouseId: q.warehouse_id }),
      reads.stockFacets(),
      reads.computeFulfilmentMetrics(live.today),
      reads.listFulfilmentWindows({ ...live.windows, warehouseId: q.warehouse_id }),
    ]);
    const todayRows = today.filter((x) => !q.warehouse_id || x.warehouse_id === q.warehouse_id);
    const warehouses = [...new Set(rows.map((x) => x.warehouse_id))].sort();
    res.send(
      layout(
        ctx,
        'Fulfilment',
        h`<h1>Fulfilment</h1>
          <p class="muted">
            Per warehouse, from the order and shipment streams, with one definition for every period: today
            so far, the streaming sidecar's windows, and the UTC days written nightly by
            <a href="/dags/daily_inventory_etl">daily_inventory_etl</a> (load_fulfilment_metrics).
            On time: orders promised in the period that left by their promise. Fill rate: ordered units
            reserved by the period's end; backorders: lines neither reserved nor cancelled by then.
          </p>
          <form method="get" class="filters">
            <select name="warehouse_id" aria-label="Warehouse">
              <option value="">all warehouses</option>
              ${facets.warehouses.map(
                (w) => h`<option value="${w}" ${w === q.warehouse_id ? h` selected` : ''}>${w}</option>`,
              )}
            </select>
            <input name="days" type="number" min="1" max="366" value="${q.days}" aria-label="Days" />
            <select name="window_kind" aria-label="Window">
              ${FULFILMENT_WINDOW_KINDS.map(
                ({ kind }) =>
                  h`<option value="${kind}" ${kind === q.window_kind ? h` selected` : ''}>${KIND_LABELS[kind] ?? kind}</option>`,
              )}
            </select>
            <input name="hours" type="number" min="1" max="168" value="${q.hours}" aria-label="Hours" />
            <button type="submit" class="btn secondary">Show</button>
          </form>
          <h2>Today so far</h2>
          <p class="muted">${formatTime(live.today.from)} – ${formatTime(live.today.to)} UTC, the definition over the events stored now.</p>
          ${
            todayRows.length === 0
              ? h`<p class="empty">Nothing to count today yet.</p>`
              : h`<table id="fulfilment-today">
                  <thead><tr><th>Warehouse</th>${FIGURE_HEADERS}</tr></thead>
                  <tbody>
                    ${todayRows.map((x) => h`<tr data-warehouse="${x.warehouse_id}"><td>${x.warehouse_id}</td>${figureCells(x)}</tr>`)}
                  </tbody>
                </table>`
          }
          <h2>Stream windows, last ${q.hours} h</h2>
          <p class="muted">
            Event-time windows of ${KIND_LABELS[q.window_kind] ?? q.window_kind} per warehouse, kept by the streaming
            sidecar: a window is recomputed whenever an event that changes it is stored, late ones included.
            The current window is still filling.
          </p>
          ${
            windows.length === 0
              ? h`<p class="empty">No stream windows since ${formatTime(live.windows.from)}.</p>`
              : h`<table id="fulfilment-windows">
                  <thead><tr><th>Window (UTC)</th><th>Warehouse</th>${FIGURE_HEADERS}</tr></thead>
                  <tbody>
                    ${windows.map(
                      (
                        x,
                      ) => h`<tr data-window="${x.window_start.toISOString()}" data-warehouse="${x.warehouse_id}"
                          ${x.window_end.getTime() > now ? h` class="open"` : ''}>
                        <td>${windowLabel(x.window_start, x.window_end, now)}${x.window_end.getTime() > now ? h` <span class="muted">(so far)</span>` : ''}</td>
                        <td>${x.warehouse_id}</td>${figureCells(x)}</tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${
            rows.length === 0
              ? h`<p class="empty">No fulfilment metrics from ${period.fromDay} to ${period.toDay}.</p>`
              : h`<h2>Days ${period.fromDay} – ${period.toDay}</h2>
                <p class="muted">As the daily ETL stored them.</p>
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
                  <thead><tr><th>Day</th><th>Warehouse</th>${FIGURE_HEADERS}</tr></thead>
                  <tbody>
                    ${rows.map(
                      (x) => h`<tr data-day="${x.as_of_date}" data-warehouse="${x.warehouse_id}">
                        <td>${x.as_of_date}</td><td>${x.warehouse_id}</td>${figureCells(x)}
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
