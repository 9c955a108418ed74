import { Router } from 'express';
import { formatChange, formatKpi, KPI_LABELS, KPIS, type Kpi } from '../../dags/index.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { formatTime } from '../views/format.js';
import { h, type SafeHtml } from '../views/html.js';
import { layout, pager } from '../views/layout.js';
import { compareWeeks } from '../weekComparison.js';
import { pageQuery, weekParams, weeksQuery } from '../warehouseQueries.js';
import { pageContext } from './context.js';

/**
 * The stored e-mail is shown in a sandboxed frame from its own URL, whose policy allows its inline
 * styles and data: images and nothing else: no script runs (`sandbox` without allow-scripts, in
 * the header and on the frame), nothing loads from elsewhere, and only our pages may frame it.
 * The pages keep their strict CSP.
 */
const REPORT_CSP = [
  'sandbox',
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const weekHref = (weekStart: string) => `/reports/weekly/${weekStart}`;

function change(value: number | null): SafeHtml {
  const arrow = value === null || value === 0 ? '' : value > 0 ? '▲ ' : '▼ ';
  return h`<span class="change" data-change="${value ?? ''}">${arrow}${formatChange(value)}</span>`;
}

/** The weekly summaries: the list of weeks, and each report as it was e-mailed. */
export function reportPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/reports', (_req, res) => res.redirect(302, '/reports/weekly'));

  r.get('/reports/weekly', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = weeksQuery.parse(pageQuery(req.query));
    const page = await reads.listWeeklySummaries(q);
    res.send(
      layout(
        ctx,
        'Weekly reports',
        h`<h1>Weekly reports</h1>
          <p class="muted">
            One per ISO week, written and e-mailed by <a href="/dags/weekly_summary">weekly_summary</a> on
            Monday 01:00 UTC. Each KPI with its change from the week before.
          </p>
          ${
            page.items.length === 0
              ? h`<p class="empty">No weekly report yet: weekly_summary runs on Mondays.</p>`
              : h`<table id="weeks-table">
                  <thead>
                    <tr>
                      <th>Week</th>
                      ${KPIS.map((k) => h`<th>${KPI_LABELS[k]}</th>`)}
                      <th>Computed</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${page.items.map(
                      (w) =>
                        h`<tr data-week="${w.week_start}">
                          <td><a href="${weekHref(w.week_start)}">${w.week_start} – ${w.week_end}</a></td>
                          ${KPIS.map(
                            (k: Kpi) =>
                              h`<td>${formatKpi(k, w.metrics.kpis?.[k] ?? null)}<br />${change(w.metrics.week_over_week?.[k] ?? null)}</td>`,
                          )}
                          <td>${formatTime(w.computed_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
          ${pager('/reports/weekly', {}, page)}`,
      ),
    );
  });

  r.get('/reports/weekly/:weekStart', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const { weekStart } = weekParams.parse(req.params);
    const report = await reads.readWeeklySummary(weekStart);
    if (!report) throw notFound(`weekly report of the week starting ${weekStart}`);
    const rows = compareWeeks(report);
    res.send(
      layout(
        ctx,
        `Week of ${report.week_start}`,
        h`<p class="muted"><a href="/reports/weekly">Weekly reports</a></p>
          <h1>Week ${report.week_start} – ${report.week_end}</h1>
          <p class="pager">
            ${report.previous_week_start ? h`<a href="${weekHref(report.previous_week_start)}">← ${report.previous_week_start}</a>` : ''}
            <span>computed ${formatTime(report.computed_at)}</span>
            ${report.next_week_start ? h`<a href="${weekHref(report.next_week_start)}">${report.next_week_start} →</a>` : ''}
          </p>
          <h2>Week over week</h2>
          <table id="week-comparison">
            <thead>
              <tr>
                <th>KPI</th>
                <th>This week</th>
                <th>${report.previous ? h`Week of ${report.previous.week_start}` : 'Week before'}</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (c) =>
                  h`<tr data-kpi="${c.kpi}">
                    <td>${c.label}</td>
                    <td>${formatKpi(c.kpi, c.this_week)}</td>
                    <td>${report.previous ? formatKpi(c.kpi, c.previous_week) : h`<span class="muted">not stored</span>`}</td>
                    <td>${change(c.change)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <h2>The report as e-mailed</h2>
          <p><a href="${weekHref(report.week_start)}/email" target="_blank" rel="noopener">open on its own</a></p>
          <iframe
            id="report-frame"
            title="Weekly report of ${report.week_start}"
            src="${weekHref(report.week_start)}/email"
            sandbox=""
            referrerpolicy="no-referrer"
            width="100%"
            height="900"
          ></iframe>`,
      ),
    );
  });

  r.get('/reports/weekly/:weekStart/email', async (req, res) => {
    const { weekStart } = weekParams.parse(req.params);
    const report = await reads.readWeeklySummary(weekStart);
    if (!report) throw notFound(`weekly report of the week starting ${weekStart}`);
    res.set('Content-Security-Policy', REPORT_CSP);
    res.set('X-Frame-Options', 'SAMEORIGIN');
    res.type('html').send(report.report_html);
  });

  return r;
}
