import { Router } from 'express';
import { SEVERITIES, type AlertGroup, type AlertRow } from '../../inventory/alerts/index.js';
import { audited } from '../audit.js';
import { principalOf, requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { acknowledgeForm, alertParams, alertsQuery } from '../validation.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { actionButton, layout, pager, type PageContext } from '../views/layout.js';
import { pageQuery } from '../warehouseQueries.js';
import { pageContext, redirectWithFlash } from './context.js';

/** Alerts listed per pair on the page; the pair's other alerts are counted, and one link away. */
const PER_GROUP = 20;

/**
 * The Alerts page: open alerts by default, grouped per pair (sku, warehouse) — and the alerts
 * about an order, a shipment or an audited entity per warehouse (or pair) and kind of subject —
 * with counts per type and the highest severity; each alert with its subject, opening, last
 * detection, occurrences and acknowledgement. Operators acknowledge an open alert with a POST (session CSRF token, like
 * every mutation); viewers see the state and no button.
 */
export function alertPages(deps: RouteDeps): Router {
  const { reads, policy } = deps;
  const r = Router();

  r.get('/alerts', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = alertsQuery.parse(pageQuery(req.query));
    const filter = {
      status: q.status,
      severity: q.severity,
      sku: q.sku,
      warehouseId: q.warehouse_id,
      alertType: q.alert_type,
      subjectType: q.subject_type,
      subjectId: q.subject_id,
    };
    // One pair, one kind of subject of a warehouse, or one subject asked for: all of its alerts.
    const perGroup =
      (q.sku || q.subject_type || q.subject_id) && (q.warehouse_id || q.subject_id) ? 1000 : PER_GROUP;
    const groups = await reads.listAlertGroups(filter, q, perGroup);
    const alerts = groups.items.reduce((n, g) => n + g.total, 0);
    res.send(
      layout(
        ctx,
        'Alerts',
        h`<h1>Alerts</h1>
          <p class="muted">
            One alert per incident: it opens once, repeats update it, and it resolves by itself when its
            condition clears. ${groups.total} ${groups.total === 1 ? 'group' : 'groups'} with
            ${q.status === 'all' ? '' : `${q.status} `}alerts${groups.total > groups.items.length ? '' : h`, ${alerts} in all`}.
          </p>
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
            <input name="alert_type" placeholder="type" value="${q.alert_type ?? ''}" />
            <input name="sku" placeholder="SKU" value="${q.sku ?? ''}" />
            <input name="warehouse_id" placeholder="warehouse" value="${q.warehouse_id ?? ''}" />
            <button type="submit" class="btn secondary">Filter</button>
          </form>
          ${
            groups.items.length === 0
              ? h`<p class="empty">No ${q.status === 'all' ? '' : q.status} alerts.</p>`
              : groups.items.map((g) => groupSection(ctx, g, q.status))
          }
          ${pager(
            '/alerts',
            {
              status: q.status,
              severity: q.severity,
              alert_type: q.alert_type,
              sku: q.sku,
              warehouse_id: q.warehouse_id,
              subject_type: q.subject_type,
              subject_id: q.subject_id,
            },
            groups,
          )}`,
      ),
    );
  });

  r.post('/alerts/:alertId/acknowledge', requireMutation(policy, 'page'), async (req, res) => {
    const { alertId } = alertParams.parse(req.params);
    acknowledgeForm.parse(req.body ?? {});
    const user = principalOf(res)?.user ?? 'unknown';
    const result = await audited(
      deps,
      req,
      res,
      { action: 'alert.acknowledge', detail: { alert_id: alertId } },
      () => reads.acknowledgeAlert(alertId, user),
    );
    if (result.outcome === 'missing') throw notFound(`alert ${alertId}`);
    const said = {
      acknowledged: 'acknowledged',
      already: `already acknowledged by ${result.alert.acknowledged_by ?? 'someone'}`,
      resolved: 'already resolved',
    }[result.outcome];
    redirectWithFlash(
      res,
      localAlertsPath(req.get('referer') ?? '/alerts'),
      `${result.alert.alert_type} ${result.alert.subject_id ?? result.alert.sku ?? ''}: ${said}`,
    );
  });

  return r;
}

/** The Alerts page to return to (the referring one, with its filters), never another site. */
function localAlertsPath(referer: string): string {
  try {
    const u = new URL(referer);
    if (u.pathname !== '/alerts') return '/alerts';
    u.searchParams.delete('flash');
    return `/alerts${u.search}`;
  } catch {
    return '/alerts';
  }
}

/** How a group of subject alerts is titled: what its subjects are. */
const SUBJECT_TITLES: Record<string, string> = {
  order: 'orders',
  shipment: 'shipments',
  audit_entity: 'audited changes',
};

function groupTitle(g: AlertGroup) {
  const pairLink =
    g.sku && g.warehouse_id
      ? h`<a href="/stock/${encodeURIComponent(g.warehouse_id)}/${encodeURIComponent(g.sku)}"
          >${g.sku} @ ${g.warehouse_id}</a
        >`
      : null;
  if (g.subject_type) {
    const what = SUBJECT_TITLES[g.subject_type] ?? g.subject_type;
    return pairLink ? h`${what} of ${pairLink}` : h`${what}${g.warehouse_id ? h` at ${g.warehouse_id}` : ''}`;
  }
  return pairLink ?? h`no pair (data quality)`;
}

/** The filter that lists every alert of a group. */
function groupFilter(g: AlertGroup): string | null {
  const params = new URLSearchParams();
  if (g.sku) params.set('sku', g.sku);
  if (g.warehouse_id) params.set('warehouse_id', g.warehouse_id);
  if (g.subject_type) params.set('subject_type', g.subject_type);
  return g.warehouse_id && (g.sku || g.subject_type) ? params.toString() : null;
}

function groupSection(ctx: PageContext, g: AlertGroup, status: string) {
  const filter = groupFilter(g);
  const more =
    g.total > g.alerts.length && filter
      ? h`<p class="muted">
          ${g.total - g.alerts.length} more:
          <a href="/alerts?status=${status}&${filter}">all of this group's</a>
        </p>`
      : '';
  return h`<section class="alert-group" data-sku="${g.sku ?? ''}" data-warehouse="${g.warehouse_id ?? ''}" data-subject-type="${g.subject_type ?? ''}">
    <h2>
      <span class="sev sev-${g.max_severity}">${g.max_severity}</span> ${groupTitle(g)}
      <small class="muted">
        ${g.total} ${g.total === 1 ? 'alert' : 'alerts'}:
        ${Object.entries(g.by_type).map(([type, n], i) => h`${i > 0 ? ', ' : ''}<span class="alert-count" data-type="${type}">${type} ${n}</span>`)}
      </small>
    </h2>
    <table>
      <thead>
        <tr>
          <th>Severity</th>
          <th>Type</th>
          <th>Subject</th>
          <th>Message</th>
          <th>Source</th>
          <th>Opened</th>
          <th>Last seen</th>
          <th>Occurrences</th>
          <th>Acknowledged</th>
          <th>Resolved</th>
        </tr>
      </thead>
      <tbody>
        ${g.alerts.map((a) => alertRow(ctx, a))}
      </tbody>
    </table>
    ${more}
  </section>`;
}

function alertRow(ctx: PageContext, a: AlertRow) {
  const ack = a.acknowledged_at
    ? h`${formatTime(a.acknowledged_at)}${a.acknowledged_by ? h` by ${a.acknowledged_by}` : ''}`
    : a.resolved_at
      ? '—'
      : actionButton(
          ctx,
          `/alerts/${a.alert_id}/acknowledge`,
          'Acknowledge',
          {},
          { className: 'btn secondary' },
        ) || h`<span class="muted">no</span>`;
  return h`<tr data-alert-id="${a.alert_id}">
    <td><span class="sev sev-${a.severity}">${a.severity}</span></td>
    <td>${a.alert_type}</td>
    <td>${a.subject_id ? h`<a href="/alerts?status=all&subject_id=${encodeURIComponent(a.subject_id)}">${a.subject_id}</a>` : '—'}</td>
    <td>${a.message}</td>
    <td>${a.source}</td>
    <td>${formatTime(a.opened_at)}</td>
    <td>${formatTime(a.last_seen_at)}</td>
    <td class="num">${a.occurrences}</td>
    <td class="ack">${ack}</td>
    <td>${a.resolved_at ? h`${formatTime(a.resolved_at)} (${a.resolution ?? ''})` : h`<span class="muted">open</span>`}</td>
  </tr>`;
}
