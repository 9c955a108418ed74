import { Router, type Response } from 'express';
import { z } from 'zod';
import { ConflictError } from '../../platform/index.js';
import { actorOf } from '../api/cancel.js';
import { audited } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { backfillParams, dagRunParams, dagTaskParams, printable } from '../validation.js';
import { dagHref, runHref } from '../views/dagViews.js';
import { redirectWithFlash } from './context.js';

const cancelForm = z.object({ reason: printable(500).optional() });

/** Task states a cancel can still stop. */
export const CANCELLABLE: ReadonlySet<string> = new Set([
  'none',
  'scheduled',
  'queued',
  'running',
  'up_for_retry',
  'up_for_reschedule',
]);

/**
 * The cancel buttons' form posts (operators only, CSRF-checked like every page form): a run, a
 * task instance, a backfill. Each goes back to the page it came from with what happened; a
 * cancel of something that has already ended says so there instead of an error page.
 */
export function cancelPages(deps: RouteDeps): Router {
  const { catalog, engine, policy } = deps;
  const mutation = requireMutation(policy, 'page');
  const r = Router();

  const settle = async (res: Response, back: string, work: () => Promise<string>) => {
    try {
      redirectWithFlash(res, back, await work());
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      redirectWithFlash(res, back, err.message);
    }
  };
  const reasonOf = (body: unknown) => cancelForm.parse(body ?? {}).reason?.trim() || undefined;

  r.post('/dags/:dagId/runs/:runId/cancel', mutation, async (req, res) => {
    const { dagId, runId } = dagRunParams.parse(req.params);
    catalog.get(dagId);
    const found = await engine.getRun(runId);
    if (!found || found.run.dag_id !== dagId) throw notFound(`run ${runId} of ${dagId}`);
    const reason = reasonOf(req.body);
    await settle(res, runHref(dagId, runId), async () => {
      const result = await audited(
        deps,
        req,
        res,
        { action: 'run.cancel', dagId, runId, detail: { reason } },
        () => engine.cancel(runId, { by: actorOf(res), ...(reason ? { reason } : {}) }),
      );
      return `run cancelled (${result.cancelled.length} task instance(s) stopped)`;
    });
  });

  r.post('/dags/:dagId/runs/:runId/tasks/:taskId/cancel', mutation, async (req, res) => {
    const { dagId, runId, taskId } = dagTaskParams.parse(req.params);
    catalog.get(dagId);
    const found = await engine.getRun(runId);
    if (!found || found.run.dag_id !== dagId || !found.tasks.some((t) => t.task_id === taskId))
      throw notFound(`task '${taskId}' of run ${runId}`);
    const reason = reasonOf(req.body);
    await settle(res, `${runHref(dagId, runId)}/tasks/${encodeURIComponent(taskId)}`, async () => {
      const target = { action: 'task.cancel', dagId, runId, taskId, detail: { reason } };
      const result = await audited(deps, req, res, target, () =>
        engine.cancel(runId, { taskId, by: actorOf(res), ...(reason ? { reason } : {}) }),
      );
      return `cancelled ${taskId} (run ${result.run_state})`;
    });
  });

  r.post('/backfills/:backfillId/cancel', mutation, async (req, res) => {
    const { backfillId } = backfillParams.parse(req.params);
    const backfill = await engine.getBackfill(backfillId);
    if (!backfill) throw notFound(`backfill ${backfillId}`);
    const reason = reasonOf(req.body);
    await settle(res, `${dagHref(backfill.dag_id)}/backfills`, async () => {
      const detail = { backfill_id: backfillId, reason };
      const result = await audited(
        deps,
        req,
        res,
        { action: 'backfill.cancel', dagId: backfill.dag_id, detail },
        () =>
          engine.cancelBackfill(backfillId, {
            by: actorOf(res),
            includeRunning: false,
            ...(reason ? { reason } : {}),
          }),
      );
      return (
        `backfill ${backfillId} cancelled: ${result.cancelled_runs.length} queued run(s) cancelled, ` +
        `${result.left_running.length} running run(s) left to finish`
      );
    });
  });

  return r;
}
