import { Router } from 'express';
import { actorOf, audited } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import type { PoolRow } from '../engine.js';
import { classifyError, notFound } from '../errors.js';
import { poolForm, poolParams } from '../validation.js';
import { formatTime } from '../views/format.js';
import { h } from '../views/html.js';
import { csrfField, layout, type PageContext } from '../views/layout.js';
import { pageContext, redirectWithFlash } from './context.js';

const slotsText = (slots: number | null) => (slots === null ? 'unlimited' : String(slots));

/** The pools with their slots and counts; operators set slots with a form per pool. */
export function poolPages(deps: RouteDeps): Router {
  const { engine, policy } = deps;
  const mutation = requireMutation(policy, 'page');
  const r = Router();

  r.get('/pools', async (req, res) => {
    const ctx = pageContext(req, res, policy);
    const pools = await engine.listPools();
    const busy = pools.some((p) => p.running + p.queued + p.scheduled > 0);
    res.send(
      layout(
        ctx,
        'Pools',
        h`<h1>Pools</h1>
          <p class="muted">
            A pool's slots bound how many of its task instances are queued or running at once (each holds
            its <code>poolSlots</code>, 1 by default); unlimited pools start their tasks at once. Waiting
            tasks get freed slots highest priority first, and backfill tasks after production tasks.
            Fewer slots stop nothing that runs: no new task starts until the slots held drop below the
            new count.
          </p>
          <div id="pools" data-live="pools" data-active="${busy ? 'yes' : 'no'}">
            <table class="pools">
              <thead>
                <tr>
                  <th>Pool</th>
                  <th>Slots</th>
                  <th>Occupied</th>
                  <th>Running</th>
                  <th>Queued</th>
                  <th>Scheduled</th>
                  <th>Description</th>
                  <th>Changed</th>
                  ${ctx.canMutate ? h`<th>Set slots</th>` : ''}
                </tr>
              </thead>
              <tbody>
                ${pools.map((p) => poolRow(ctx, p))}
              </tbody>
            </table>
          </div>`,
        { refresh: true },
      ),
    );
  });

  r.post('/pools/:pool', mutation, async (req, res) => {
    const { pool: name } = poolParams.parse(req.params);
    const before = (await engine.listPools()).find((p) => p.name === name);
    if (!before) throw notFound(`pool '${name}'`);
    try {
      const { slots, description } = poolForm.parse(req.body ?? {});
      const change = await audited(
        deps,
        req,
        res,
        { action: 'pool.set', detail: { pool: name, slots, ...(description ? { description } : {}) } },
        () =>
          engine.setPoolSlots(name, slots, {
            by: actorOf(req, res).actor,
            ...(description ? { description } : {}),
          }),
        (c) => ({ detail: { previous: c.previous, granted: c.granted } }),
      );
      redirectWithFlash(
        res,
        '/pools',
        `pool ${name}: ${slotsText(change.previous)} → ${slotsText(slots)} slots, ${change.granted} task(s) granted now`,
      );
    } catch (err) {
      const { status, message } = classifyError(err);
      if (status !== 400) throw err;
      redirectWithFlash(res, '/pools', `pool ${name} not changed: ${message}`);
    }
  });

  return r;
}

function poolRow(ctx: PageContext, p: PoolRow) {
  const full = p.slots !== null && p.occupied_slots >= p.slots;
  return h`<tr data-pool="${p.name}" class="${full ? 'full' : ''}">
    <td>${p.name}</td>
    <td>${slotsText(p.slots)}</td>
    <td>${p.slots === null ? p.occupied_slots : h`${p.occupied_slots}/${p.slots}`}</td>
    <td>${p.running}</td>
    <td>${p.queued}</td>
    <td>${p.scheduled}</td>
    <td>${p.description ?? ''}</td>
    <td class="small">${p.updated_by ? h`${formatTime(p.updated_at)} by ${p.updated_by}` : '—'}</td>
    ${
      ctx.canMutate
        ? h`<td>
            <form method="post" action="/pools/${encodeURIComponent(p.name)}" class="inline pool-slots">
              ${csrfField(ctx)}
              <input
                type="text"
                name="slots"
                inputmode="numeric"
                size="8"
                value="${p.slots === null ? '' : String(p.slots)}"
                placeholder="unlimited"
                aria-label="slots of ${p.name}"
              />
              <input
                type="text"
                name="description"
                size="18"
                maxlength="500"
                value="${p.description ?? ''}"
                placeholder="description"
                aria-label="description of ${p.name}"
              />
              <button type="submit" class="btn small">Save</button>
            </form>
          </td>`
        : ''
    }
  </tr>`;
}
