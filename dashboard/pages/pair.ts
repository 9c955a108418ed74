import { Router } from 'express';
import { PAIR_ANOMALY_HOURS, PAIR_SALES_DAYS, readPair } from '../api/stock.js';
import type { RouteDeps } from '../deps.js';
import { formatTime } from '../views/format.js';
import { h, type SafeHtml } from '../views/html.js';
import { layout } from '../views/layout.js';
import { levelChart } from '../views/levelChart.js';
import { demandChart } from '../views/demandChart.js';
import { formatCover, formatPercent, formatQuantity } from '../views/quantities.js';
import { pageQuery, pairParams, pairQuery } from '../warehouseQueries.js';
import { pageContext } from './context.js';

const HISTORY_CHOICES = [30, 60, 90, 180, 365];

/** One SKU in one warehouse: level history, SPEC §5 metrics, anomalies and alerts. */
export function pairPages(deps: RouteDeps): Router {
  const { policy } = deps;
  const r = Router();

  r.get('/stock/:warehouseId/:sku', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const { warehouseId, sku } = pairParams.parse(req.params);
    const { days } = pairQuery.parse(pageQuery(req.query));
    const pair = await readPair(deps, sku, warehouseId, days);
    const m = pair.metrics;
    const row = (label: string, value: string | SafeHtml, hint = '') =>
      h`<tr><th>${label}</th><td>${value}</td><td class="muted">${hint}</td></tr>`;
    res.send(
      layout(
        ctx,
        `${pair.sku} at ${pair.warehouse_id}`,
        h`<p class="muted"><a href="/stock">Stock levels</a> ›
            <a href="/stock?warehouse_id=${encodeURIComponent(pair.warehouse_id)}">${pair.warehouse_id}</a></p>
          <h1>${pair.sku} · ${pair.name} <span class="muted">at ${pair.warehouse_name} (${pair.warehouse_id})</span></h1>
          <p>
            ${pair.category} · lead time ${pair.lead_time_days} d · unit cost ${pair.unit_cost.toFixed(2)} ·
            <strong>${formatQuantity(pair.quantity_on_hand)}</strong> on hand,
            ${formatQuantity(pair.quantity_reserved)} reserved,
            <strong>${formatQuantity(pair.quantity_available)}</strong> available now
            ${pair.last_event_at ? h`(last event ${formatTime(pair.last_event_at)})` : ''}
          </p>
          <h2>Stock level, last ${days} days of snapshots</h2>
          <form method="get" class="filters">
            <select name="days" aria-label="History">
              ${[...new Set([...HISTORY_CHOICES, days])]
                .sort((a, b) => a - b)
                .map((d) => h`<option value="${d}" ${d === days ? h` selected` : ''}>${d} days</option>`)}
            </select>
            <button type="submit" class="btn secondary">Show</button>
          </form>
          ${levelChart(
            pair.history.map((p) => ({
              day: p.day,
              onHand: p.quantity_on_hand,
              reorderPoint: p.reorder_point,
              safetyStock: p.safety_stock,
            })),
            `${pair.sku} at ${pair.warehouse_id}: on hand per day`,
          )}
          ${demandSection(pair.sku, pair.warehouse_id, pair.demand)}
          <h2>Metrics ${m ? h`of ${m.as_of_date}` : ''}</h2>
          ${
            m
              ? h`<table class="kv" id="pair-metrics">
                  <tbody>
                    ${row('Velocity 7 d', `${formatQuantity(m.velocity_7d, 2)} /day`, 'units sold per day, last 7 days')}
                    ${row('Velocity 30 d', `${formatQuantity(m.velocity_30d, 2)} /day`, 'units sold per day, last 30 days')}
                    ${row('Volatility', formatQuantity(m.volatility, 2), 'sample std. dev. of the 30 daily sales')}
                    ${row('Trend', `${formatQuantity(m.trend, 3)} /day²`, 'least-squares slope of daily sales')}
                    ${row('Seasonality index', formatQuantity(m.seasonality_index, 2), 'velocity 7 d / velocity 30 d')}
                    ${row('Expected daily demand μ', formatQuantity(m.expected_daily_demand, 2), '')}
                    ${row('Stock-out risk', formatPercent(m.stockout_risk), 'P(demand over lead time > available)')}
                    ${row('Days of cover', formatCover(m.days_of_cover, true), 'available / μ')}
                    ${row('Safety stock', formatQuantity(m.safety_stock), 'z(0.95) · σ_L')}
                    ${row('Reorder point', formatQuantity(m.reorder_point), 'μL + safety stock')}
                    ${row('Reorder quantity', formatQuantity(m.reorder_quantity), 'reorder point + 7μ − available')}
                    ${row('Stock at the end of the day', `${formatQuantity(m.quantity_on_hand)} on hand, ${formatQuantity(m.quantity_reserved)} reserved`)}
                    ${row('Computed', formatTime(m.computed_at))}
                  </tbody>
                </table>`
              : h`<p class="empty">The daily ETL has not computed metrics for this pair yet.</p>`
          }
          <h2>Anomalies, last ${PAIR_ANOMALY_HOURS / 24} days</h2>
          ${
            pair.anomalies.items.length === 0
              ? h`<p class="empty">No anomalies detected for this pair in the last ${PAIR_ANOMALY_HOURS / 24} days.</p>`
              : h`<table id="pair-anomalies">
                  <thead><tr><th>Type</th><th>Severity</th><th>Risk</th><th>Occurred</th><th>Detected</th></tr></thead>
                  <tbody>
                    ${pair.anomalies.items.map(
                      (a) =>
                        h`<tr>
                          <td>${a.anomaly_type}</td>
                          <td><span class="sev sev-${a.severity}">${a.severity}</span></td>
                          <td>${a.risk_score.toFixed(2)}</td>
                          <td>${formatTime(a.occurred_at)}</td>
                          <td>${formatTime(a.detected_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                ${moreLink(pair.anomalies, `/stream?sku=${encodeURIComponent(pair.sku)}&warehouse_id=${encodeURIComponent(pair.warehouse_id)}&hours=${PAIR_ANOMALY_HOURS}`)}`
          }
          <h2>Alerts</h2>
          ${
            pair.alerts.items.length === 0
              ? h`<p class="empty">No alerts for this pair.</p>`
              : h`<table id="pair-alerts">
                  <thead><tr><th>Severity</th><th>Type</th><th>Message</th><th>Raised</th><th>Resolved</th></tr></thead>
                  <tbody>
                    ${pair.alerts.items.map(
                      (a) =>
                        h`<tr>
                          <td><span class="sev sev-${a.severity}">${a.severity}</span></td>
                          <td>${a.alert_type}</td>
                          <td>${a.message}</td>
                          <td>${formatTime(a.created_at)}</td>
                          <td>${formatTime(a.resolved_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
                ${moreLink(pair.alerts, `/alerts?status=all&sku=${encodeURIComponent(pair.sku)}&warehouse_id=${encodeURIComponent(pair.warehouse_id)}`)}`
          }`,
      ),
    );
  });

  return r;
}

const MODEL_NAMES = {
  holt_winters: 'damped Holt-Winters, weekly',
  mean: 'mean of the days seen',
  zero: 'no sales seen',
};

/** Daily sales of the last PAIR_SALES_DAYS days and the newest stored forecast with its band. */
function demandSection(
  sku: string,
  warehouseId: string,
  demand: Awaited<ReturnType<typeof readPair>>['demand'],
): SafeHtml {
  const f = demand.forecast;
  const p = f?.params;
  return h`<h2>Demand, last ${PAIR_SALES_DAYS} days, and forecast</h2>
    ${
      f
        ? h`<p id="pair-forecast">
            Forecast made at the end of ${f.as_of_date} for the lead time (${f.lead_time_days} d):
            ${MODEL_NAMES[f.model]}${p ? ` (α ${p.alpha}, β ${p.beta}, γ ${p.gamma}, φ ${p.phi})` : ''}
            on ${f.training_days} days; over the lead time
            <strong>${formatQuantity(f.lead_time_mean, 1)}</strong> ± ${formatQuantity(f.lead_time_sigma, 1)} units
            (mean ± σ).
          </p>`
        : h`<p class="empty">The daily ETL has not forecast this pair yet.</p>`
    }
    ${demandChart(demand.sales, f?.days ?? [], {
      label: `${sku} at ${warehouseId}: units sold per day and forecast`,
      bandLevel: f?.band_level ?? 0.8,
      asOf: f?.as_of_date ?? null,
    })}`;
}

function moreLink(page: { total: number; items: unknown[] }, href: string): SafeHtml | '' {
  return page.total > page.items.length ? h`<p><a href="${href}">all ${page.total} →</a></p>` : '';
}
