import { Router } from 'express';
import { pageQuery } from '../warehouseQueries.js';
import { z } from 'zod';
import { audited, auditedTrigger } from '../audit.js';
import { requireMutation } from '../auth.js';
import { confFromForm } from '../dagCatalog.js';
import type { RouteDeps } from '../deps.js';
import { classifyError } from '../errors.js';
import { gridOf } from '../grid.js';
import { currentYearIn, runCalendarOf } from '../runCalendar.js';
import { taskDurationsOf } from '../taskDurations.js';
import { taskGraphOf } from '../taskGraph.js';
import { calendarQuery, dagParams } from '../validation.js';
import { dagHref, dagTable, gridView, pauseToggle, triggerForm } from '../views/dagViews.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { dagAssetFacts } from '../views/assetViews.js';
import { calendarView } from '../views/calendarView.js';
import { durationView } from '../views/durationView.js';
import { layout } from '../views/layout.js';
import { taskGraphView } from '../views/taskGraphView.js';
import { pageContext, redirectWithFlash } from './context.js';

const pauseForm = z.object({ paused: z.enum(['true', 'false']) });

/** The DAG list and a DAG's page (grid, trigger form), with pause and trigger actions. */
export function dagPages(deps: RouteDeps): Router {
  const { catalog, engine, policy } = deps;
  const mutation = requireMutation(policy, 'page');
  const r = Router();

  // The home page is the DAG list, and so is the address people guess for it.
  r.get(['/', '/dags'], async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const dags = await catalog.summaries(12);
    res.send(
      layout(
        ctx,
        'DAGs',
        h`<h1>DAGs</h1>
          <div
            id="dags"
            data-live="dags"
            data-active="${dags.some((d) => d.recent_runs.some((r) => r.state === 'running')) ? 'yes' : 'no'}"
          >
            ${dags.length === 0 ? h`<p class="empty">No DAGs are registered.</p>` : dagTable(ctx, dags)}
          </div>`,
        { refresh: true },
      ),
    );
  });

  r.get('/dags/:dagId', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const { dagId } = dagParams.parse(req.params);
    const dag = catalog.get(dagId);
    // A bad year falls back to the current one: the page's other views do not depend on it.
    const year = calendarQuery.safeParse(pageQuery({ year: req.query.year })).data?.year;
    const [summary, grid, graph, durations, calendar] = await Promise.all([
      catalog.summary(dagId),
      gridOf(deps, dag, 25),
      taskGraphOf(deps, dag),
      taskDurationsOf(deps, dag),
      runCalendarOf(deps, dag, year ?? currentYearIn(dag.timezone)),
    ]);
    res.send(
      layout(
        ctx,
        `${dagId} · DAG`,
        h`<p class="crumbs"><a href="/dags">DAGs</a> › ${dagId}</p>
          <h1>${pauseToggle(ctx, summary)} ${dagId}</h1>
          ${summary.description ? h`<p class="muted">${summary.description}</p>` : ''}
          <dl class="facts">
            <dt>Schedule</dt>
            <dd title="${summary.schedule ?? ''}">${summary.schedule_description}</dd>
            <dt>Next run</dt>
            <dd>${summary.next_run_at ? formatTime(summary.next_run_at) : '—'}</dd>
            <dt>Tasks</dt>
            <dd>${summary.tasks.length}</dd>
            <dt>Runs</dt>
            <dd><a href="/runs?dag=${encodeURIComponent(dagId)}">all runs of ${dagId}</a></dd>
            <dt>Backfills</dt>
            <dd><a href="${dagHref(dagId)}/backfills">backfills of ${dagId}</a></dd>
            ${dagAssetFacts(dag)}
          </dl>
          ${triggerForm(ctx, summary)}
          <h2>Graph</h2>
          ${taskGraphView(graph)}
          <h2>Grid</h2>
          ${gridView(grid)}
          <h2>Task durations</h2>
          ${durationView(durations)}
          <h2>Calendar</h2>
          ${calendarView(calendar)}`,
        { refresh: true },
      ),
    );
  });

  r.post('/dags/:dagId/pause', mutation, async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId, true);
    const { paused } = pauseForm.parse(req.body);
    const action = paused === 'true' ? 'dag.pause' : 'dag.unpause';
    await audited(deps, req, res, { action, dagId }, () => engine.setPaused(dagId, paused === 'true'));
    const back = req.get('referer')?.endsWith(dagHref(dagId)) ? dagHref(dagId) : '/';
    redirectWithFlash(res, back, `${dagId} ${paused === 'true' ? 'paused' : 'unpaused'}`);
  });

  r.post('/dags/:dagId/trigger', mutation, async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId, true);
    const summary = await catalog.summary(dagId, 0);
    try {
      const conf = confFromForm(summary.params, req.body as Record<string, unknown>);
      const run = await auditedTrigger(deps, req, res, dagId, conf);
      redirectWithFlash(res, dagHref(dagId), `triggered run ${run.id} of ${dagId}`);
    } catch (err) {
      // Bad params go back to the form with the reason; anything else is a real error.
      const { status, message } = classifyError(err);
      if (status !== 400) throw err;
      redirectWithFlash(res, `${dagHref(dagId)}#trigger`, `not triggered: ${message}`);
    }
  });

  return r;
}
