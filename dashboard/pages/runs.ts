import { pageQuery } from '../warehouseQueries.js';
import { Router } from 'express';
import { z } from 'zod';
import { audited } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import type { RunWithTasks } from '../engine.js';
import type { ResolvedTask, TaskInstanceDetail } from '../../engine/index.js';
import { notFound } from '../errors.js';
import { ganttOf } from '../gantt.js';
import { dagRunParams, dagTaskParams, logsQuery, taskInstanceIdSchema } from '../validation.js';
import { logLineText, tryIsFinal } from '../taskLog.js';
import { dagHref, runHref, runLabel } from '../views/dagViews.js';
import { durationBetween, formatDuration, formatJson, formatTime } from '../views/format.js';
import { ganttView } from '../views/ganttView.js';
import { runNoteSection } from '../views/runNoteView.js';
import { h } from '../views/html.js';
import { actionButton, layout, stateLabel, type PageContext } from '../views/layout.js';
import { CANCELLABLE } from './cancel.js';
import { countsText, inTaskOrder, mappedInstancesOf, type MappedInstances } from '../mappedTasks.js';
import { parseInstanceId } from '../../engine/index.js';
import { pageContext, redirectWithFlash } from './context.js';

const clearForm = z.object({
  task_id: taskInstanceIdSchema.optional(),
  downstream: z.enum(['true', 'false']).default('false'),
  only_failed: z.enum(['true', 'false']).default('false'),
});
const markForm = z.object({ state: z.enum(['success', 'failed']) });

/** Run detail, task detail with its log, and the clear / mark actions. */
export function runPages(deps: RouteDeps): Router {
  const { catalog, engine, policy } = deps;
  const mutation = requireMutation(policy, 'page');
  const r = Router();

  const loadRun = async (dagId: string, runId: number): Promise<RunWithTasks> => {
    catalog.get(dagId);
    const found = await engine.getRun(runId);
    if (!found || found.run.dag_id !== dagId) throw notFound(`run ${runId} of ${dagId}`);
    return found;
  };

  r.get('/dags/:dagId/runs/:runId', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const { dagId, runId } = dagRunParams.parse(req.params);
    const { run, tasks } = await loadRun(dagId, runId);
    const note = (await engine.runNotes([runId])).get(runId);
    const order = catalog.get(dagId).tasks.map((t) => t.id);
    const sorted = inTaskOrder(tasks, order);
    const href = runHref(dagId, runId);
    res.send(
      layout(
        ctx,
        `${dagId} · run ${runLabel(run)}`,
        h`<p class="crumbs">
            <a href="/dags">DAGs</a> › <a href="${dagHref(dagId)}">${dagId}</a> ›
            <a href="/runs?dag=${encodeURIComponent(dagId)}">runs</a> › run ${runId}
          </p>
          <div id="run" data-live="run" data-active="${run.state === 'running' ? 'yes' : 'no'}">
            <h1>${dagId} · run ${runLabel(run)} ${stateLabel(run.state)}</h1>
            <dl class="facts">
              <dt>Run id</dt>
              <dd>${runId}</dd>
              <dt>Type</dt>
              <dd>${run.run_type}</dd>
              <dt>Logical date</dt>
              <dd>${formatTime(run.logical_date)}</dd>
              <dt>Data interval</dt>
              <dd>${formatTime(run.data_interval_start)} → ${formatTime(run.data_interval_end)}</dd>
              <dt>Started</dt>
              <dd>${formatTime(run.started_at)}</dd>
              <dt>Ended</dt>
              <dd>${formatTime(run.ended_at) || '—'}</dd>
              <dt>Duration</dt>
              <dd>${formatDuration(durationBetween(run.started_at, run.ended_at))}</dd>
              <dt>Conf</dt>
              <dd><code>${JSON.stringify(run.conf)}</code></dd>
            </dl>
            <p class="actions">
              ${actionButton(ctx, `${href}/clear`, 'Clear failed tasks', { only_failed: 'true' }, { confirm: 'Clear the failed tasks of this run and run them again?' })}
              ${actionButton(ctx, `${href}/clear`, 'Clear all tasks', {}, { className: 'btn secondary', confirm: 'Clear every task of this run and run it again?' })}
              ${run.state === 'running' ? actionButton(ctx, `${href}/cancel`, 'Cancel run', {}, { className: 'btn bad', confirm: 'Cancel this run? Running tasks are stopped and nothing more of it starts.' }) : ''}
            </p>
            <table class="tasks">
              <thead>
                <tr>
                  <th>Task</th>
                  <th>State</th>
                  <th>Try</th>
                  <th>Queued</th>
                  <th>Started</th>
                  <th>Duration</th>
                  <th>Pool</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${sorted.map((t) => {
                  const mapped = mappedInstancesOf(tasks, t.task_id);
                  return h`<tr class="${t.map_parent ? 'instance' : ''}" data-task="${t.task_id}">
                      <td><a href="${href}/tasks/${encodeURIComponent(t.task_id)}">${t.task_id}</a></td>
                      <td>
                        ${stateLabel(t.state)}
                        ${t.waiting ? h`<br /><small class="muted waiting" data-kind="${t.waiting.kind}">${t.waiting.message}</small>` : ''}
                        ${mapped ? h`<span class="muted small">${mapped.total} mapped: ${countsText(mapped)}</span>` : ''}
                      </td>
                      <td>${t.try_number}/${t.max_tries}</td>
                      <td>${formatTime(t.queued_at)}</td>
                      <td>${formatTime(t.started_at)}</td>
                      <td>${formatDuration(durationBetween(t.started_at, t.ended_at))}</td>
                      <td>${t.pool}</td>
                      <td class="actions">${taskActions(ctx, href, t.task_id, t.state)}</td>
                    </tr>`;
                })}
              </tbody>
            </table>
            <h2>Gantt</h2>
            ${ganttView(ganttOf({ run, tasks }, order))}
          </div>
          ${runNoteSection(ctx, href, note)}`,
        { refresh: true },
      ),
    );
  });

  r.get('/dags/:dagId/runs/:runId/tasks/:taskId', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const { dagId, runId, taskId } = dagTaskParams.parse(req.params);
    const { run, tasks } = await loadRun(dagId, runId);
    const ti = tasks.find((t) => t.task_id === taskId);
    if (!ti) throw notFound(`task '${taskId}' of run ${runId}`);
    const q = logsQuery.parse(pageQuery(req.query));
    const shownTry = q.try ?? Math.max(1, ti.try_number);
    const lines = await engine.taskLogs(runId, taskId, shownTry);
    const final = tryIsFinal(ti, run, shownTry);
    const href = runHref(dagId, runId);
    const logUrl = `/api/runs/${runId}/tasks/${encodeURIComponent(taskId)}/logs?try=${shownTry}`;
    const tries = Array.from({ length: Math.max(1, ti.try_number) }, (_, i) => i + 1);
    const { taskId: definedAs } = parseInstanceId(taskId);
    const definition = catalog.get(dagId).taskById.get(definedAs);
    const mapped = mappedInstancesOf(tasks, taskId);
    res.send(
      layout(
        ctx,
        `${taskId} · ${dagId} · run ${runLabel(run)}`,
        h`<p class="crumbs">
            <a href="/dags">DAGs</a> › <a href="${dagHref(dagId)}">${dagId}</a> ›
            <a href="${href}">run ${runLabel(run)}</a> ›
            ${ti.map_parent ? h`<a href="${href}/tasks/${encodeURIComponent(ti.map_parent)}">${ti.map_parent}</a> ›` : ''}
            ${taskId}
          </p>
          <div
            id="task"
            data-live="task"
            data-active="${['running', 'scheduled', 'queued', 'up_for_retry', 'up_for_reschedule'].includes(ti.state) ? 'yes' : 'no'}"
          >
            <h1>${taskId} <span class="muted">· ${dagId} · run ${runLabel(run)}</span> ${stateLabel(ti.state)}</h1>
            ${
              ti.waiting
                ? h`<p class="waiting" id="waiting-reason" data-kind="${ti.waiting.kind}">
                    <strong>Waiting:</strong> ${ti.waiting.message}
                  </p>`
                : ''
            }
            <dl class="facts">
              <dt>Run</dt>
              <dd><a href="${href}">${runId}</a> (${run.run_type}, ${formatTime(run.logical_date)})</dd>
              <dt>Try</dt>
              <dd>${ti.try_number} of ${ti.max_tries}</dd>
              <dt>Queued</dt>
              <dd>${formatTime(ti.queued_at) || '—'}</dd>
              <dt>Started</dt>
              <dd>${formatTime(ti.started_at) || '—'}</dd>
              <dt>Ended</dt>
              <dd>${formatTime(ti.ended_at) || '—'}</dd>
              <dt>Duration</dt>
              <dd>${formatDuration(durationBetween(ti.started_at, ti.ended_at))}</dd>
              ${
                ti.next_try_at && ['up_for_retry', 'up_for_reschedule'].includes(ti.state)
                  ? h`<dt>${ti.state === 'up_for_reschedule' ? 'Next poke' : 'Next try'}</dt>
                      <dd id="next-try">${formatTime(ti.next_try_at)}</dd>`
                  : ''
              }
              ${definition ? taskKindFacts(definition, ti) : ''}
              <dt>Pool</dt>
              <dd>
                <a href="/pools">${ti.pool}</a>${ti.pool_slots > 1 ? ` (${ti.pool_slots} slots)` : ''}, priority
                weight ${ti.priority_weight}${run.priority !== 0 ? ` (run priority ${run.priority})` : ''}
              </dd>
              <dt>Worker</dt>
              <dd>${ti.worker_id ?? '—'}</dd>
              ${
                definition
                  ? h`<dt>Upstream</dt>
                      <dd>${definition.upstream.join(', ') || '—'}</dd>
                      <dt>Trigger rule</dt>
                      <dd>${definition.triggerRule}</dd>`
                  : ''
              }
              ${
                definition?.mapOver
                  ? h`<dt>Mapped over</dt>
                      <dd>${definition.mapOver}${ti.map_index !== null ? h` (item ${ti.map_index})` : ''}</dd>`
                  : ''
              }
            </dl>
            <p class="actions">${taskActions(ctx, href, taskId, ti.state)}</p>
            ${
              ti.error
                ? h`<h2>Error</h2>
                    <pre class="error">${ti.error}</pre>`
                : ''
            }
            ${mapped ? instancesTable(href, mapped) : ''}
          </div>
          <h2>Output</h2>
          <div id="task-output">
            ${
              ti.output !== null && ti.output !== undefined
                ? h`<pre class="json">${formatJson(ti.output)}</pre>`
                : h`<p class="muted">${final ? 'No output.' : 'The output shows here when the task ends.'}</p>`
            }
          </div>
          <section
            id="log-section"
            data-log-url="${logUrl}"
            data-log-after="${lines.at(-1)?.id ?? 0}"
            data-log-final="${final ? 'yes' : 'no'}"
          >
            <h2 id="log">Log</h2>
            <p class="tries">
              Try:
              ${tries.map((n) =>
                n === shownTry ? h`<strong>${n}</strong> ` : h`<a href="?try=${n}#log">${n}</a> `,
              )}
              ${final ? '' : h`<span class="badge" id="log-following">following live</span>`}
            </p>
            <p class="muted" id="log-empty" ${lines.length > 0 ? h`hidden` : ''}>
              ${final ? `No log lines for try ${shownTry}.` : `No log lines yet for try ${shownTry}: they appear here as the task writes them.`}
            </p>
            <pre class="log" id="log-lines" ${lines.length === 0 ? h`hidden` : ''}>${lines.map((l) => h`<span class="level-${l.level}" data-id="${l.id}">${logLineText(l)}</span>${'\n'}`)}</pre>
          </section>`,
        { refresh: true },
      ),
    );
  });

  r.post('/dags/:dagId/runs/:runId/clear', mutation, async (req, res) => {
    const { dagId, runId } = dagRunParams.parse(req.params);
    await loadRun(dagId, runId);
    const form = clearForm.parse(req.body);
    const options = {
      ...(form.task_id ? { taskIds: [form.task_id] } : {}),
      downstream: form.downstream === 'true',
      onlyFailed: form.only_failed === 'true',
    };
    const { cleared } = await audited(
      deps,
      req,
      res,
      { action: 'run.clear', dagId, runId, detail: { ...options } },
      () => engine.clearTasks(runId, options),
      (r) => ({ detail: { cleared: r.cleared } }),
    );
    redirectWithFlash(
      res,
      runHref(dagId, runId),
      cleared.length === 0 ? 'nothing to clear' : `cleared ${cleared.join(', ')}`,
    );
  });

  r.post('/dags/:dagId/runs/:runId/tasks/:taskId/mark', mutation, async (req, res) => {
    const { dagId, runId, taskId } = dagTaskParams.parse(req.params);
    const { tasks } = await loadRun(dagId, runId);
    if (!tasks.some((t) => t.task_id === taskId)) throw notFound(`task '${taskId}' of run ${runId}`);
    const { state } = markForm.parse(req.body);
    await audited(deps, req, res, { action: 'task.mark', dagId, runId, taskId, detail: { state } }, () =>
      engine.markTask(runId, taskId, state),
    );
    redirectWithFlash(
      res,
      `${runHref(dagId, runId)}/tasks/${encodeURIComponent(taskId)}`,
      `marked ${taskId} ${state}`,
    );
  });

  return r;
}

/** A mapped task's instances on its page, each linking to its own (log, output, actions). */
function instancesTable(runHrefValue: string, mapped: MappedInstances) {
  return h`<h2>Mapped instances</h2>
    <p class="muted">${mapped.total} instances: ${countsText(mapped)}</p>
    <table class="tasks instances">
      <thead>
        <tr>
          <th>Instance</th>
          <th>Item</th>
          <th>State</th>
          <th>Try</th>
        </tr>
      </thead>
      <tbody>
        ${mapped.instances.map(
          (i) =>
            h`<tr data-task="${i.task_id}">
              <td><a href="${runHrefValue}/tasks/${encodeURIComponent(i.task_id)}">${i.task_id}</a></td>
              <td>${i.map_index}</td>
              <td>${stateLabel(i.state)}</td>
              <td>${i.try_number}/${i.max_tries}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** What a sensor, a branch or a task that depends on its past adds to the task page's facts. */
function taskKindFacts(definition: ResolvedTask, ti: TaskInstanceDetail) {
  const s = definition.sensor;
  return h`${
    s
      ? h`<dt>Sensor</dt>
          <dd>
            pokes every ${formatDuration(s.intervalMs)}${s.exponentialBackoff ? ' (doubling)' : ''}, gives up
            after ${formatDuration(s.timeoutMs)} (${s.onTimeout === 'skip' ? 'then skips' : 'then fails'})
          </dd>
          <dt>Pokes</dt>
          <dd id="pokes">${ti.pokes}${ti.first_poke_at ? ` since ${formatTime(ti.first_poke_at)}` : ''}</dd>`
      : ''
  }
  ${
    definition.branch
      ? h`<dt>Branch</dt>
          <dd id="followed">
            ${ti.state === 'success' ? `followed ${ti.followed?.join(', ') || 'no task'}` : `chooses among ${definition.downstream.join(', ')}`}
          </dd>`
      : ''
  }
  ${definition.dependsOnPast ? h`<dt>Depends on past</dt><dd>yes</dd>` : ''}`;
}

function taskActions(ctx: PageContext, runHrefValue: string, taskId: string, state: string) {
  const taskHref = `${runHrefValue}/tasks/${encodeURIComponent(taskId)}`;
  return h`${actionButton(ctx, `${runHrefValue}/clear`, 'Clear', { task_id: taskId }, { className: 'btn small', confirm: `Clear ${taskId} and run it again?` })}
  ${actionButton(ctx, `${runHrefValue}/clear`, 'Clear + downstream', { task_id: taskId, downstream: 'true' }, { className: 'btn small secondary', confirm: `Clear ${taskId} and everything downstream?` })}
  ${actionButton(ctx, `${taskHref}/mark`, 'Mark success', { state: 'success' }, { className: 'btn small ok' })}
  ${actionButton(ctx, `${taskHref}/mark`, 'Mark failed', { state: 'failed' }, { className: 'btn small bad' })}
  ${CANCELLABLE.has(state) ? actionButton(ctx, `${taskHref}/cancel`, 'Cancel', {}, { className: 'btn small secondary', confirm: `Cancel ${taskId}? A running try is stopped; downstream tasks follow their trigger rules.` }) : ''}`;
}
