import { Router } from 'express';
import { z } from 'zod';
import { audited } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import type { BackfillWithProgress } from '../engine.js';
import { classifyError } from '../errors.js';
import { backfillBody, dagParams } from '../validation.js';
import { dagHref } from '../views/dagViews.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { actionButton, csrfField, layout, stateLabel, type PageContext } from '../views/layout.js';
import { pageContext, redirectWithFlash } from './context.js';

const backfillForm = z.object({
  from: z.string().min(1, { error: 'from is required' }),
  to: z.string().min(1, { error: 'to is required' }),
  concurrency: z.string().default('4'),
  reset: z.enum(['true', 'false']).default('false'),
});

/** A DAG's backfills with progress bars, and the form that starts one. */
export function backfillPages(deps: RouteDeps): Router {
  const { catalog, engine, policy } = deps;
  const mutation = requireMutation(policy, 'page');
  const r = Router();

  r.get('/backfills', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const backfills = await engine.listBackfills({});
    const active = backfills.some((b) => b.state === 'running');
    res.send(
      layout(
        ctx,
        'Backfills',
        h`<h1>Backfills</h1>
          <p class="muted">
            Every DAG's backfills, newest first. Start one from a DAG's backfill page:
            ${catalog.dags.map((d, i) => h`${i > 0 ? ', ' : ''}<a href="${dagHref(d.id)}/backfills">${d.id}</a>`)}.
          </p>
          <div id="backfills" data-live="backfills" data-active="${active ? 'yes' : 'no'}">
            ${backfills.length === 0 ? h`<p class="empty">No backfills yet.</p>` : backfillTable(ctx, backfills, true)}
          </div>`,
        { refresh: true },
      ),
    );
  });

  r.get('/dags/:dagId/backfills', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId);
    const backfills = await engine.listBackfills({ dagId });
    const active = backfills.some((b) => b.state === 'running');
    res.send(
      layout(
        ctx,
        `${dagId} · backfills`,
        h`<p class="crumbs">
            <a href="/dags">DAGs</a> › <a href="${dagHref(dagId)}">${dagId}</a> ›
            <a href="/backfills">backfills</a>
          </p>
          <h1>Backfills of ${dagId}</h1>
          ${
            ctx.canMutate
              ? h`<form method="post" action="${dagHref(dagId)}/backfills" class="panel backfill">
                  ${csrfField(ctx)}
                  <label
                    ><span>From (logical date, UTC)</span><input type="date" name="from" required
                  /></label>
                  <label><span>To (inclusive)</span><input type="date" name="to" required /></label>
                  <label
                    ><span>Concurrency</span
                    ><input type="number" name="concurrency" min="1" max="64" value="4"
                  /></label>
                  <label
                    ><span>Rerun successful intervals</span
                    ><select name="reset">
                      <option value="false">no</option>
                      <option value="true">yes</option>
                    </select></label
                  >
                  <button type="submit" class="btn">Start backfill</button>
                </form>`
              : ''
          }
          <div id="backfills" data-live="backfills" data-active="${active ? 'yes' : 'no'}">
            ${backfills.length === 0 ? h`<p class="empty">No backfills yet.</p>` : backfillTable(ctx, backfills, false)}
          </div>`,
        { refresh: true },
      ),
    );
  });

  r.post('/dags/:dagId/backfills', mutation, async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId, true);
    try {
      const form = backfillForm.parse(req.body);
      const request = backfillBody.parse({
        from: form.from,
        to: form.to,
        concurrency: form.concurrency,
        reset: form.reset === 'true',
      });
      const backfill = await audited(
        deps,
        req,
        res,
        { action: 'backfill.create', dagId, detail: { ...request } },
        () => engine.startBackfill({ dagId, ...request }),
        (b) => ({ detail: { backfill_id: b.id, total: b.total } }),
      );
      redirectWithFlash(res, `${dagHref(dagId)}/backfills`, `backfill ${backfill.id} started`);
    } catch (err) {
      const { status, message } = classifyError(err);
      if (status !== 400) throw err;
      redirectWithFlash(res, `${dagHref(dagId)}/backfills`, `backfill not started: ${message}`);
    }
  });

  return r;
}

function backfillTable(ctx: PageContext, backfills: BackfillWithProgress[], withDag: boolean) {
  return h`<table>
    <thead>
      <tr>
        <th>Id</th>
        ${withDag ? h`<th>DAG</th>` : ''}
        <th>Range</th>
        <th>State</th>
        <th>Progress</th>
        <th>Concurrency</th>
        <th>Started</th>
        <th>Ended</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${backfills.map((b) => backfillRow(ctx, b, withDag))}
    </tbody>
  </table>`;
}

function backfillRow(ctx: PageContext, b: BackfillWithProgress, withDag: boolean) {
  const done = b.progress.success + b.progress.failed + b.progress.cancelled;
  const total = Math.max(b.total, done);
  const pct = total === 0 ? 0 : Math.round((done / total) * 100);
  return h`<tr data-backfill="${b.id}">
    <td>${b.id}</td>
    ${withDag ? h`<td><a href="${dagHref(b.dag_id)}/backfills">${b.dag_id}</a></td>` : ''}
    <td>${formatTime(b.from_date)} → ${formatTime(b.to_date)}</td>
    <td>${stateLabel(b.state)}</td>
    <td>
      <progress max="${total}" value="${done}">${pct}%</progress>
      <span class="small"
        >${done}/${total} (${b.progress.success} ok, ${b.progress.failed} failed,
        ${b.progress.cancelled} cancelled, ${b.progress.running} running)</span
      >
    </td>
    <td>${b.concurrency}</td>
    <td>${formatTime(b.created_at)}</td>
    <td>${formatTime(b.ended_at) || '—'}</td>
    <td class="actions">
      ${b.state === 'running' ? actionButton(ctx, `/backfills/${b.id}/cancel`, 'Cancel', {}, { className: 'btn small bad', confirm: `Cancel backfill ${b.id}? No new runs start; its queued runs are cancelled, running ones finish.` }) : ''}
    </td>
  </tr>`;
}
