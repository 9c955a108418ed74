import { pageQuery } from '../warehouseQueries.js';
import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import type { RunRow } from '../engine.js';
import { allRunsQuery, RUN_TYPE_NAMES } from '../validation.js';
import { RUN_STATES } from '../../engine/index.js';
import { dagHref, runHref, runLabel } from '../views/dagViews.js';
import { durationBetween, formatDuration, formatTime } from '../views/format.js';
import { h, type HtmlValue } from '../views/html.js';
import { layout, stateLabel } from '../views/layout.js';
import { withNotes } from '../notes.js';
import { noteExcerpt } from '../views/runNoteView.js';
import { pageContext } from './context.js';

/** Recent runs across DAGs, newest first, filtered by DAG, state and type, a page at a time. */
export function runListPages(deps: RouteDeps): Router {
  const { catalog, engine, policy } = deps;
  const r = Router();

  r.get('/runs', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const q = allRunsQuery.parse(pageQuery(req.query));
    if (q.dag) catalog.get(q.dag);
    // One row more than shown tells whether an older page exists (the engine counts no totals).
    const rows = await engine.listRuns({
      ...(q.dag ? { dagId: q.dag } : {}),
      ...(q.state ? { state: q.state } : {}),
      ...(q.run_type ? { runType: q.run_type } : {}),
      limit: q.limit + 1,
      offset: q.offset,
    });
    const runs = await withNotes(engine, rows.slice(0, q.limit));
    const filters = { dag: q.dag, state: q.state, run_type: q.run_type };
    const heading = q.dag ? `Runs of ${q.dag}` : 'Runs';
    const option = (value: string, current: string | undefined, label = value) =>
      h`<option value="${value}" ${value === current ? h` selected` : ''}>${label}</option>`;
    res.send(
      layout(
        ctx,
        heading,
        h`<h1>${heading}</h1>
          <form method="get" class="filters" id="run-filters">
            <select name="dag" aria-label="DAG">
              <option value="">every DAG</option>
              ${catalog.dags.map((d) => option(d.id, q.dag))}
            </select>
            <select name="state" aria-label="State">
              <option value="">any state</option>
              ${RUN_STATES.map((s) => option(s, q.state))}
            </select>
            <select name="run_type" aria-label="Type">
              <option value="">any type</option>
              ${RUN_TYPE_NAMES.map((t) => option(t, q.run_type))}
            </select>
            <button type="submit" class="btn secondary">Filter</button>
          </form>
          <div id="runs" data-live="runs" data-active="${runs.some((x) => x.state === 'running') ? 'yes' : 'no'}">
            ${runs.length === 0 ? h`<p class="empty">No runs match.</p>` : runTable(runs)}
          </div>
          ${olderNewer(filters, q, rows.length > q.limit)}`,
        { refresh: true },
      ),
    );
  });

  return r;
}

function runTable(runs: Array<RunRow & { note: string | null }>): HtmlValue {
  return h`<table class="runs">
    <thead>
      <tr>
        <th>DAG</th>
        <th>Run</th>
        <th>Logical date</th>
        <th>Type</th>
        <th>State</th>
        <th>Started</th>
        <th>Duration</th>
        <th>Note</th>
      </tr>
    </thead>
    <tbody>
      ${runs.map(
        (run) =>
          h`<tr data-run-id="${run.id}" data-dag="${run.dag_id}">
            <td><a href="${dagHref(run.dag_id)}">${run.dag_id}</a></td>
            <td><a href="${runHref(run.dag_id, run.id)}">${run.id}</a></td>
            <td>${runLabel(run)}</td>
            <td>${run.run_type}</td>
            <td>${stateLabel(run.state)}</td>
            <td>${formatTime(run.started_at)}</td>
            <td>${formatDuration(durationBetween(run.started_at, run.ended_at))}</td>
            <td class="note-cell" title="${run.note ?? ''}">${noteExcerpt(run.note)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function olderNewer(
  filters: Record<string, string | undefined>,
  page: { limit: number; offset: number },
  hasOlder: boolean,
): HtmlValue {
  if (page.offset === 0 && !hasOlder) return '';
  const link = (offset: number, label: string) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    q.set('offset', String(offset));
    q.set('limit', String(page.limit));
    return h`<a href="/runs?${q.toString()}">${label}</a>`;
  };
  return h`<p class="pager">
    ${page.offset > 0 ? link(Math.max(0, page.offset - page.limit), '← newer') : ''}
    <span>runs ${page.offset + 1}–${page.offset + page.limit}</span>
    ${hasOlder ? link(page.offset + page.limit, 'older →') : ''}
  </p>`;
}
