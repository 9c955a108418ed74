import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { alertsQuery, qualityResultsQuery, throughputQuery, WINDOW_KIND_NAMES } from '../validation.js';
import { lineChart, stackedBars } from '../views/charts.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { layout, pager } from '../views/layout.js';
import { SEVERITIES } from '../../inventory/alerts/index.js';
import { ANOMALY_TYPES } from '../../inventory/rules/index.js';
import { pageContext } from './context.js';

/** Open alerts, data-quality results, and stream throughput / anomaly charts. */
export function resultPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/alerts', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = alertsQuery.parse(req.query);
    const page = await reads.listAlerts(
      {
        status: q.status,
        severity: q.severity,
        sku: q.sku,
        warehouseId: q.warehouse_id,
        alertType: q.alert_type,
      },
      q,
    );
    res.send(
      layout(
        ctx,
        'Alerts',
        h`<h1>Alerts</h1>
          <form method="get" class="filters">
            <select name="status">
              ${['open', 'resolved', 'all'].map(
                (s) => h`<option value="${s}" ${s === q.status ? h` selected` : ''}>${s}</option>`,
              )}
            </select>
            <select name="severity">
              <option value="">any severity</option>
              ${SEVERITIES.map(
                (s) => h`<option value="${s}" ${s === q.severity ? h` selected` : ''}>${s}</option>`,
              )}
            </select>
            <input name="sku" placeholder="SKU" value="${q.sku ?? ''}" />
            <input name="warehouse_id" placeholder="warehouse" value="${q.warehouse_id ?? ''}" />
            <button type="submit" class="btn secondary">Filter</button>
          </form>
          ${
            page.items.length === 0
              ? h`<p class="empty">No ${q.status === 'all' ? '' : q.status} alerts.</p>`
              : h`<table>
                  <thead>
                    <tr>
                      <th>Severity</th>
                      <th>Type</th>
                      <th>SKU</th>
                      <th>Warehouse</th>
                      <th>Message</th>
                      <th>Source</th>
                      <th>Raised</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${page.items.map(
                      (a) =>
                        h`<tr>
                          <td><span class="sev sev-${a.severity}">${a.severity}</span></td>
                          <td>${a.alert_type}</td>
                          <td>${a.sku ?? ''}</td>
                          <td>${a.warehouse_id ?? ''}</td>
                          <td>${a.message}</td>
                          <td>${a.source}</td>
                          <td>${formatTime(a.created_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${pager('/alerts', { status: q.status, severity: q.severity, sku: q.sku, warehouse_id: q.warehouse_id }, page)}`,
      ),
    );
  });

  r.get('/quality', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = qualityResultsQuery.parse(req.query);
    const [runs, results] = await Promise.all([
      reads.listDataQualityRuns({}, { limit: 20, offset: 0 }),
      reads.listDataQualityResults(
        { passed: q.passed, ruleGroup: q.rule_group, ruleId: q.rule_id, checkRunKey: q.check_run_key },
        q,
      ),
    ]);
    res.send(
      layout(
        ctx,
        'Data quality',
        h`<h1>Data quality</h1>
          <h2>Recent checks</h2>
          ${
            runs.items.length === 0
              ? h`<p class="empty">No data-quality checks have run yet.</p>`
              : h`<table>
                  <thead>
                    <tr>
                      <th>Interval</th>
                      <th>Score</th>
                      <th>Rules</th>
                      <th>Failed rules</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${runs.items.map(
                      (run) =>
                        h`<tr>
                          <td>${formatTime(run.interval_start)} → ${formatTime(run.interval_end)}</td>
                          <td>
                            <meter min="0" max="100" low="80" high="95" optimum="100" value="${run.score}">
                              ${run.score}
                            </meter>
                            ${run.score.toFixed(1)}
                          </td>
                          <td>${run.rules_checked - run.rules_failed}/${run.rules_checked} passed</td>
                          <td>${run.failed_rules.join(', ') || '—'}</td>
                          <td>
                            <a href="/quality?check_run_key=${encodeURIComponent(run.check_run_key)}"
                              >results</a
                            >
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          <h2>Rule results${q.check_run_key ? h` of ${q.check_run_key}` : ''}</h2>
          <form method="get" class="filters">
            <select name="passed">
              <option value="">passed and failed</option>
              <option value="false" ${q.passed === false ? h` selected` : ''}>failed only</option>
              <option value="true" ${q.passed === true ? h` selected` : ''}>passed only</option>
            </select>
            ${q.check_run_key ? h`<input type="hidden" name="check_run_key" value="${q.check_run_key}" />` : ''}
            <button type="submit" class="btn secondary">Filter</button>
          </form>
          ${
            results.items.length === 0
              ? h`<p class="empty">No results.</p>`
              : h`<table>
                  <thead>
                    <tr>
                      <th>Rule</th>
                      <th>Group</th>
                      <th>Result</th>
                      <th>Failing</th>
                      <th>Checked</th>
                      <th>Sample</th>
                      <th>At</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${results.items.map(
                      (x) =>
                        h`<tr>
                          <td>${x.rule_id}</td>
                          <td>${x.rule_group}</td>
                          <td>
                            <span class="state state-${x.passed ? 'success' : 'failed'}"
                              >${x.passed ? 'passed' : 'failed'}</span
                            >
                          </td>
                          <td>${x.failing_count}</td>
                          <td>${x.checked_count}</td>
                          <td><code class="small">${truncate(JSON.stringify(x.sample), 160)}</code></td>
                          <td>${formatTime(x.checked_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${pager('/quality', { passed: q.passed === undefined ? undefined : String(q.passed), check_run_key: q.check_run_key }, results)}`,
      ),
    );
  });

  r.get('/stream', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = throughputQuery.parse(req.query);
    const since = new Date(Date.now() - q.hours * 3_600_000);
    const bucketSeconds = Math.max(60, Math.round((q.hours * 3600) / 60));
    const [points, buckets, anomalies] = await Promise.all([
      reads.streamThroughput({ windowKind: q.window_kind, since, sku: q.sku, warehouseId: q.warehouse_id }),
      reads.anomalyHistogram({ since, bucketSeconds, sku: q.sku, warehouseId: q.warehouse_id }),
      reads.listAnomalies({ since, sku: q.sku, warehouseId: q.warehouse_id }, { limit: 25, offset: 0 }),
    ]);
    const byBucket = new Map<number, Record<string, number>>();
    for (const b of buckets) {
      const t = new Date(b.bucket_start).getTime();
      const values = byBucket.get(t) ?? {};
      values[b.anomaly_type] = b.n;
      byBucket.set(t, values);
    }
    res.send(
      layout(
        ctx,
        'Stream',
        h`<h1>Stream</h1>
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
              ],
              'events per window',
            )}
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

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
