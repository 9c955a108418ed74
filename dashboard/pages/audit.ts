import { Router } from 'express';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, AUDIT_SOURCES } from '../../engine/index.js';
import { requireOperator } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import type { AuditRow } from '../engine.js';
import { auditQuery } from '../validation.js';
import { dagHref, runHref } from '../views/dagViews.js';
import { formatTime } from '../views/format.js';
import { h, type HtmlValue } from '../views/html.js';
import { layout, pager } from '../views/layout.js';
import { pageQuery } from '../warehouseQueries.js';
import { pageContext } from './context.js';

/**
 * The audit log, newest first, a page at a time, filtered by action, actor, source and outcome.
 * Operators only: it tells who did what (viewers get a 403, anonymous visitors the login form).
 */
export function auditPages(deps: RouteDeps): Router {
  const { engine, policy } = deps;
  const r = Router();

  r.get('/audit', requireOperator(), async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = auditQuery.parse(pageQuery(req.query));
    const filter = { actor: q.actor, action: q.action, source: q.source, outcome: q.outcome };
    const page = await engine.auditLog(
      Object.fromEntries(Object.entries({ ...filter, since: q.since }).filter(([, v]) => v !== undefined)),
      q,
    );
    const option = (value: string, current: string | undefined) =>
      h`<option value="${value}" ${value === current ? h` selected` : ''}>${value}</option>`;
    res.send(
      layout(
        ctx,
        'Audit log',
        h`<h1>Audit log</h1>
          <p class="muted">
            Every change made by hand — from these pages (ui), the JSON API (api) or the command line
            (cli) — and every change refused to someone logged in.
          </p>
          <form method="get" class="filters" id="audit-filters">
            <select name="action" aria-label="Action">
              <option value="">any action</option>
              ${AUDIT_ACTIONS.map((a) => option(a, q.action))}
            </select>
            <input name="actor" aria-label="Actor" placeholder="actor" value="${q.actor ?? ''}" />
            <select name="source" aria-label="Source">
              <option value="">any source</option>
              ${AUDIT_SOURCES.map((s) => option(s, q.source))}
            </select>
            <select name="outcome" aria-label="Outcome">
              <option value="">any outcome</option>
              ${AUDIT_OUTCOMES.map((o) => option(o, q.outcome))}
            </select>
            <button type="submit" class="btn secondary">Filter</button>
          </form>
          ${page.items.length === 0 ? h`<p class="empty">No entries match.</p>` : auditTable(page.items)}
          ${pager('/audit', filter, page)}`,
      ),
    );
  });

  return r;
}

function target(e: AuditRow): HtmlValue {
  if (e.dag_id && e.run_id !== null)
    return h`<a href="${runHref(e.dag_id, e.run_id)}">${e.dag_id} · run ${e.run_id}</a>${e.task_id ? h` · ${e.task_id}` : ''}`;
  if (e.dag_id) return h`<a href="${dagHref(e.dag_id)}">${e.dag_id}</a>`;
  return e.run_id !== null ? `run ${e.run_id}` : '—';
}

function auditTable(entries: AuditRow[]): HtmlValue {
  return h`<table id="audit">
    <thead>
      <tr><th>When (UTC)</th><th>Actor</th><th>Source</th><th>Action</th><th>Target</th><th>Outcome</th><th>Detail</th></tr>
    </thead>
    <tbody>
      ${entries.map(
        (e) => h`<tr data-audit-id="${e.id}" class="outcome-${e.outcome}">
          <td>${formatTime(e.at)}</td>
          <td>${e.actor}</td>
          <td>${e.source}</td>
          <td>${e.action}</td>
          <td>${target(e)}</td>
          <td>${e.outcome}</td>
          <td class="mono small">${JSON.stringify(e.detail)}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
