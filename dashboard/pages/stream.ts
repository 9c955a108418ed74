import { pageQuery } from '../warehouseQueries.js';
import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { openWindowsOf, type ProvisionalPoint } from '../openWindows.js';
import { throughputQuery, WINDOW_KIND_NAMES } from '../validation.js';
import { lineChart, stackedBars } from '../views/charts.js';
import { formatTime } from '../views/format.js';
import { h, type SafeHtml } from '../views/html.js';
import { layout } from '../views/layout.js';
import { ANOMALY_TYPES } from '../../inventory/rules/index.js';
import { pageContext } from './context.js';

/**
 * Stream throughput and anomalies. Closed windows come from `analytics.stream_windows`; the
 * windows the sidecar still holds open (the first minutes of a feed, until the watermark passes
 * them) are recomputed from the ledger and shown apart, marked provisional.
 */
export function streamPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/stream', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = throughputQuery.parse(pageQuery(req.query));
    const since = new Date(Date.now() - q.hours * 3_600_000);
    const bucketSeconds = Math.max(60, Math.round((q.hours * 3600) / 60));
    const pair = { sku: q.sku, warehouseId: q.warehouse_id };
    const [points, open, buckets, anomalies] = await Promise.all([
      reads.streamThroughput({ windowKind: q.window_kind, since, ...pair }),
      openWindowsOf(reads, { windowKind: q.window_kind, ...pair }),
      reads.anomalyHistogram({ since, bucketSeconds, ...pair }),
      reads.listAnomalies({ since, ...pair }, { limit: 25, offset: 0 }),
    ]);
    const byBucket = new Map<number, Record<string, number>>();
    for (const b of buckets) {
      const t = new Date(b.bucket_start).getTime();
      const values = byBucket.get(t) ?? {};
      values[b.anomaly_type] = b.n;
      byBucket.set(t, values);
    }
    // The provisional line starts at the last closed window, so it reads as the closed line's tail.
    const last = points.at(-1);
    const provisional = [
      ...(last && open.points.length > 0 ? [{ t: new Date(last.window_start), v: last.events }] : []),
      ...open.points.map((p) => ({ t: new Date(p.window_start), v: p.events })),
    ];
    res.send(
      layout(
        ctx,
        `Stream · ${q.window_kind}`,
        h`<h1>Stream <span class="muted">${q.window_kind} windows</span></h1>
          <form method="get" class="filters">
            <select name="window_kind">
              ${WINDOW_KIND_NAMES.map(
                (k) => h`<option value="${k}" ${k === q.window_kind ? h` selected` : ''}>${k}</option>`,
              )}
            </select>
            <select name="hours">
              ${[1, 6, 24, 168].map(
                (hrs) =>
                  h`<option value="${hrs}" ${hrs === q.hours ? h` selected` : ''}>
                    last ${hrs < 48 ? `${hrs} h` : `${hrs / 24} days`}
                  </option>`,
              )}
            </select>
            <input name="sku" placeholder="SKU" value="${q.sku ?? ''}" />
            <input name="warehouse_id" placeholder="warehouse" value="${q.warehouse_id ?? ''}" />
            <button type="submit" class="btn secondary">Show</button>
          </form>
          <div id="stream" data-live="stream" data-active="yes">
            <h2>Throughput (events per ${q.window_kind} window)</h2>
            ${lineChart(
              [
                {
                  name: 'events',
                  className: 'series-a',
                  points: points.map((p) => ({ t: new Date(p.window_start), v: p.events })),
                },
                {
                  name: 'late events',
                  className: 'series-b',
                  points: points.map((p) => ({ t: new Date(p.window_start), v: p.late_events })),
                },
                { name: 'events, open windows (provisional)', className: 'series-c', points: provisional },
              ],
              'events per window',
            )}
            <h2 id="open-windows">Open windows <span class="badge provisional">provisional</span></h2>
            ${openWindowsTable(open.points)}
            <h2>Anomalies</h2>
            ${stackedBars(
              [...byBucket].map(([t, values]) => ({ t: new Date(t), values })),
              ANOMALY_TYPES.map((name, i) => ({ name, className: `series-${i}` })),
              bucketSeconds * 1000,
              'anomalies per type',
            )}
            ${
              anomalies.items.length === 0
                ? ''
                : h`<table>
                    <thead>
                      <tr>
                        <th>Type</th>
                        <th>Severity</th>
                        <th>Risk</th>
                        <th>SKU</th>
                        <th>Warehouse</th>
                        <th>Occurred</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${anomalies.items.map(
                        (a) =>
                          h`<tr>
                            <td>${a.anomaly_type}</td>
                            <td><span class="sev sev-${a.severity}">${a.severity}</span></td>
                            <td>${a.risk_score.toFixed(2)}</td>
                            <td>${a.sku}</td>
                            <td>${a.warehouse_id}</td>
                            <td>${formatTime(a.occurred_at)}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
            }
          </div>`,
        { refresh: true },
      ),
    );
  });

  return r;
}

function openWindowsTable(points: ProvisionalPoint[]): SafeHtml {
  if (points.length === 0)
    return h`<p class="empty" id="open-windows-empty">
      No open windows: no stream events since the last window closed.
    </p>`;
  return h`<p class="muted small">
      Still open: their figures grow until the watermark (the newest event time minus the allowed
      lateness) passes their end, and they close.
    </p>
    <table class="open-windows">
      <thead>
        <tr>
          <th>Window</th>
          <th>Events</th>
          <th>Units in</th>
          <th>Units out</th>
          <th>Pairs</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${[...points].reverse().map(
          (p) =>
            h`<tr data-provisional="true">
              <td>${formatTime(p.window_start)} → ${formatTime(p.window_end)}</td>
              <td>${p.events}</td>
              <td>${p.units_in}</td>
              <td>${p.units_out}</td>
              <td>${p.pairs}</td>
              <td><span class="badge provisional">provisional</span></td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}
