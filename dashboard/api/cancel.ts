import { Router, type Response } from 'express';
import { principalOf, requireMutation } from '../auth.js';
import { audited } from '../audit.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import {
  backfillParams,
  cancelBackfillBody,
  cancelBody,
  dagRunParams,
  dagTaskParams,
  runParams,
  taskParams,
} from '../validation.js';

/** The user a mutation is recorded under (`requireMutation` has let only operators through). */
export const actorOf = (res: Response): string => principalOf(res)?.user ?? 'unknown';

/**
 * Cancel a run, a task instance or a backfill (operators only). The body is optional:
 * `{"reason": "…"}` (and `"include_running": true` for a backfill). 404 for an unknown run, task
 * or backfill (or a run of another DAG), 409 when it has already ended.
 */
export function cancelApi(deps: RouteDeps): Router {
  const { engine, catalog, policy } = deps;
  const mutation = requireMutation(policy, 'api');
  const r = Router();

  const cancel = async (res: Response, runId: number, dagId: string | undefined, taskId?: string) => {
    if (dagId) catalog.get(dagId);
    const found = await engine.getRun(runId);
    if (!found || (dagId && found.run.dag_id !== dagId))
      throw notFound(dagId ? `run ${runId} of ${dagId}` : `run ${runId}`);
    if (taskId && !found.tasks.some((t) => t.task_id === taskId))
      throw notFound(`task '${taskId}' of run ${runId}`);
    const { reason } = cancelBody.parse(res.req.body ?? {});
    const target = { action: taskId ? 'task.cancel' : 'run.cancel', dagId: found.run.dag_id, runId, taskId };
    const result = await audited(deps, res.req, res, { ...target, detail: { reason } }, () =>
      engine.cancel(runId, {
        by: actorOf(res),
        ...(taskId ? { taskId } : {}),
        ...(reason ? { reason } : {}),
      }),
    );
    res.json({ run_id: runId, dag_id: found.run.dag_id, ...result });
  };

  r.post('/runs/:runId/cancel', mutation, async (req, res) => {
    await cancel(res, runParams.parse(req.params).runId, undefined);
  });
  r.post('/dags/:dagId/runs/:runId/cancel', mutation, async (req, res) => {
    const { dagId, runId } = dagRunParams.parse(req.params);
    await cancel(res, runId, dagId);
  });
  r.post('/runs/:runId/tasks/:taskId/cancel', mutation, async (req, res) => {
    const { runId, taskId } = taskParams.parse(req.params);
    await cancel(res, runId, undefined, taskId);
  });
  r.post('/dags/:dagId/runs/:runId/tasks/:taskId/cancel', mutation, async (req, res) => {
    const { dagId, runId, taskId } = dagTaskParams.parse(req.params);
    await cancel(res, runId, dagId, taskId);
  });

  r.post('/backfills/:backfillId/cancel', mutation, async (req, res) => {
    const { backfillId } = backfillParams.parse(req.params);
    const body = cancelBackfillBody.parse(req.body ?? {});
    if (!(await engine.getBackfill(backfillId))) throw notFound(`backfill ${backfillId}`);
    const detail = { backfill_id: backfillId, include_running: body.include_running, reason: body.reason };
    const result = await audited(deps, req, res, { action: 'backfill.cancel', detail }, () =>
      engine.cancelBackfill(backfillId, {
        by: actorOf(res),
        includeRunning: body.include_running,
        ...(body.reason ? { reason: body.reason } : {}),
      }),
    );
    res.json({ backfill_id: backfillId, state: 'cancelled', ...result });
  });

  return r;
}
