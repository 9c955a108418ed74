import type { DagSummary, ParamField } from '../dagCatalog.js';
import type { Grid, GridCell } from '../grid.js';
import { countsText } from '../mappedTasks.js';
import { noteExcerpt } from './runNoteView.js';
import { formatTime } from './format.js';
import { h, type SafeHtml } from './html.js';
import { actionButton, csrfField, stateLabel, type PageContext } from './layout.js';

const runHref = (dagId: string, runId: number) => `/dags/${encodeURIComponent(dagId)}/runs/${runId}`;
const dagHref = (dagId: string) => `/dags/${encodeURIComponent(dagId)}`;
export { runHref, dagHref };

/** Recent runs as coloured dots, oldest to newest, each linking to its run. */
export function runDots(dag: DagSummary): SafeHtml {
  const runs = [...dag.recent_runs].reverse();
  if (runs.length === 0) return h`<span class="muted">no runs yet</span>`;
  return h`<span class="dots"
    >${runs.map(
      (r) =>
        h`<a
          class="dot state-${r.state}"
          href="${runHref(dag.dag_id, r.id)}"
          title="${r.run_type} ${formatTime(r.logical_date)}: ${r.state}"
          ><span class="sr">${r.state}</span></a
        >`,
    )}</span
  >`;
}

export function pauseToggle(ctx: PageContext, dag: DagSummary): SafeHtml {
  const label = dag.is_paused ? 'paused' : 'active';
  if (!ctx.canMutate)
    return h`<span class="toggle ${dag.is_paused ? 'off' : 'on'}" title="${label}">${label}</span>`;
  return h`<form method="post" action="${dagHref(dag.dag_id)}/pause" class="inline">
    ${csrfField(ctx)}
    <input type="hidden" name="paused" value="${dag.is_paused ? 'false' : 'true'}" />
    <button
      type="submit"
      class="toggle ${dag.is_paused ? 'off' : 'on'}"
      title="${dag.is_paused ? 'Unpause' : 'Pause'} ${dag.dag_id}"
      aria-label="${dag.is_paused ? 'Unpause' : 'Pause'} ${dag.dag_id}"
    >
      ${label}
    </button>
  </form>`;
}

export function dagTable(ctx: PageContext, dags: DagSummary[]): SafeHtml {
  return h`<table class="dags">
    <thead>
      <tr>
        <th>On</th>
        <th>DAG</th>
        <th>Schedule</th>
        <th>Next run</th>
        <th>Recent runs</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${dags.map(
        (d) =>
          h`<tr data-dag="${d.dag_id}">
            <td>${pauseToggle(ctx, d)}</td>
            <td>
              <a class="dag-id" href="${dagHref(d.dag_id)}">${d.dag_id}</a>
              ${d.description ? h`<div class="muted small">${d.description}</div>` : ''}
              ${d.tags.map((t) => h`<span class="tag">${t}</span>`)}
            </td>
            <td title="${d.schedule ?? ''}">${d.schedule_description}</td>
            <td>${d.next_run_at ? formatTime(d.next_run_at) : h`<span class="muted">—</span>`}</td>
            <td>${runDots(d)}</td>
            <td class="actions">
              ${ctx.canMutate ? h`<a class="btn" href="${dagHref(d.dag_id)}#trigger">Trigger</a>` : ''}
              <a class="btn secondary" href="${dagHref(d.dag_id)}">Grid</a>
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function paramInput(f: ParamField): SafeHtml {
  const name = `param.${f.name}`;
  const placeholder =
    f.default !== undefined ? `default: ${JSON.stringify(f.default)}` : f.required ? 'required' : 'optional';
  switch (f.type) {
    case 'boolean':
      return h`<select name="${name}">
        <option value="">${placeholder}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>`;
    case 'enum':
      return h`<select name="${name}">
        <option value="">${placeholder}</option>
        ${(f.options ?? []).map((o) => h`<option value="${o}">${o}</option>`)}
      </select>`;
    case 'number':
    case 'integer':
      return h`<input
        type="number"
        name="${name}"
        step="${f.type === 'integer' ? '1' : 'any'}"
        placeholder="${placeholder}"
      />`;
    case 'json':
      return h`<input type="text" name="${name}" placeholder="${placeholder} (JSON)" />`;
    default:
      return h`<input type="text" name="${name}" placeholder="${placeholder}" />`;
  }
}

/** Trigger with a params form: one field per param, plus free JSON conf merged over them. */
export function triggerForm(ctx: PageContext, dag: DagSummary): SafeHtml | '' {
  if (!ctx.canMutate) return '';
  return h`<details class="panel" id="trigger" open>
    <summary>Trigger a run</summary>
    <form method="post" action="${dagHref(dag.dag_id)}/trigger" class="trigger">
      ${csrfField(ctx)}
      ${
        dag.params.length > 0
          ? h`<fieldset>
              <legend>Params</legend>
              ${dag.params.map(
                (f) =>
                  h`<label
                    ><span>${f.name}${f.required ? ' *' : ''}</span>${paramInput(f)}
                    ${f.description ? h`<small class="muted">${f.description}</small>` : ''}</label
                  >`,
              )}
            </fieldset>`
          : h`<p class="muted small">This DAG declares no params.</p>`
      }
      <label
        ><span>conf (JSON, optional)</span><textarea name="conf" rows="2" placeholder="{}"></textarea>
      </label>
      <button type="submit" class="btn" id="trigger-button">Trigger ${dag.dag_id}</button>
    </form>
  </details>`;
}

/** Runs × tasks, coloured by state; `data-live` lets the page script refresh it in place. */
export function gridView(grid: Grid): SafeHtml {
  if (grid.runs.length === 0)
    return h`<div id="grid" data-live="grid"><p class="empty">No runs yet.</p></div>`;
  const active = grid.runs.some((r) => r.state === 'running');
  return h`<div id="grid" data-live="grid" data-active="${active ? 'yes' : 'no'}" class="grid-wrap">
    <table class="grid">
      <thead>
        <tr>
          <th class="task-col">Task \\ run</th>
          ${grid.runs.map(
            (r) =>
              h`<th>
                <a
                  class="run-head state-${r.state}"
                  href="${runHref(grid.dag_id, r.id)}"
                  data-run-id="${r.id}"
                  data-state="${r.state}"
                  title="${r.run_type} · ${formatTime(r.logical_date)} · ${r.state}${r.note ? ` · note: ${noteExcerpt(r.note, 200)}` : ''}"
                  >${r.id}${r.note ? h`<span class="has-note" aria-label="has a note">*</span>` : ''}</a
                >
              </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${grid.tasks.map(
          (t) =>
            h`<tr>
              <th class="task-col">${t.task_id}</th>
              ${grid.runs.map((r) => {
                const c = r.tasks[t.task_id];
                const state = c?.state ?? 'none';
                if (c?.mapped) return h`<td class="mapped-td">${mappedCell(grid, r.id, t.task_id, c)}</td>`;
                return h`<td>
                  <a
                    class="cell state-${state}"
                    data-task="${t.task_id}"
                    data-run-id="${r.id}"
                    data-state="${state}"
                    href="${runHref(grid.dag_id, r.id)}/tasks/${encodeURIComponent(t.task_id)}"
                    title="${t.task_id} · run ${r.id} · ${state}${c && c.try_number > 1 ? ` · try ${c.try_number}/${c.max_tries}` : ''}"
                    ><span class="sr">${state}</span></a
                  >
                </td>`;
              })}
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="legend">
      ${[
        'success',
        'running',
        'scheduled',
        'queued',
        'up_for_reschedule',
        'up_for_retry',
        'failed',
        'upstream_failed',
        'skipped',
        'cancelled',
        'none',
      ].map((s) => h`${stateLabel(s)} `)}
    </p>
  </div>`;
}

/** Instances the grid lists under a mapped cell; the task's page lists them all. */
const GRID_INSTANCES = 100;

/**
 * A mapped task's cell: its instances counted by state (`12 ✓ 1 ✗`), which a click opens into one
 * small cell per instance, each linking to its page (a <details>: no script needed).
 */
function mappedCell(grid: Grid, runId: number, taskId: string, c: GridCell): SafeHtml {
  const mapped = c.mapped!;
  const taskHref = `${runHref(grid.dag_id, runId)}/tasks/${encodeURIComponent(taskId)}`;
  const counts = countsText(mapped);
  const shown = mapped.instances.slice(0, GRID_INSTANCES);
  return h`<details class="mapped" data-task="${taskId}" data-run-id="${runId}" data-state="${c.state}">
    <summary
      class="cell mapped-cell state-${c.state}"
      title="${taskId} · run ${runId} · ${c.state} · ${mapped.total} mapped instances: ${counts}"
      ><span class="counts">${counts}</span></summary
    >
    <div class="instances">
      ${shown.map(
        (i) =>
          h`<a
            class="cell state-${i.state}"
            data-task="${i.task_id}"
            data-state="${i.state}"
            href="${runHref(grid.dag_id, runId)}/tasks/${encodeURIComponent(i.task_id)}"
            title="${i.task_id} · ${i.state}${i.try_number > 1 ? ` · try ${i.try_number}/${i.max_tries}` : ''}"
            ><span class="sr">${i.state}</span></a
          >`,
      )}
      <a class="all-instances" href="${taskHref}"
        >${mapped.total > shown.length ? `all ${mapped.total} instances` : taskId}</a
      >
    </div>
  </details>`;
}

export { actionButton };

/**
 * A run as people name it: its logical date (`2026-03-10`, or `2026-03-10 14:00` for a run that
 * does not start at midnight), the way the titles and headings say where you are.
 */
export function runLabel(run: { logical_date: Date | string }): string {
  const text = formatTime(run.logical_date);
  return text.endsWith(' 00:00:00') ? text.slice(0, 10) : text.slice(0, 16);
}
