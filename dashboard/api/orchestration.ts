import { Router } from 'express';
import { audited, auditedTrigger } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import {
  backfillBody,
  backfillParams,
  clearBody,
  dagParams,
  logsQuery,
  mappedTaskParams,
  markBody,
  pagination,
  pauseBody,
  runParams,
  runsQuery,
  taskParams,
  triggerBody,
} from '../validation.js';
import { gridOf } from '../grid.js';
import { withNotes } from '../notes.js';
import { tryIsFinal } from '../taskLog.js';
import { taskDefinition } from '../taskDefinition.js';
import { mappedInstancesOf } from '../mappedTasks.js';
import { taskInstanceJson } from './taskInstanceJson.js';
import { parseInstanceId } from '../../engine/index.js';

/**
 * DAGs, runs, task instances, logs and backfills. Reads are open; every mutation passes
 * `requireMutation` and returns what it changed. Every input goes through a zod schema.
 */
export function orchestrationApi(deps: RouteDeps): Router {
  const { engine, catalog, policy } = deps;
  const mutation = requireMutation(policy, 'api');
  const r = Router();

  r.get('/dags', async (_req, res) => {
    const dags = await catalog.summaries(10);
    res.json({ dags, total: dags.length });
  });

  r.get('/dags/:dagId', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    res.json(await catalog.summary(dagId));
  });

  r.patch('/dags/:dagId', mutation, async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId, true);
    const { is_paused } = pauseBody.parse(req.body ?? {});
    const action = is_paused ? 'dag.pause' : 'dag.unpause';
    await audited(deps, req, res, { action, dagId }, () => engine.setPaused(dagId, is_paused));
    res.json(await catalog.summary(dagId));
  });

  r.get('/dags/:dagId/runs', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId);
    const q = runsQuery.parse(req.query);
    const runs = await engine.listRuns({
      dagId,
      limit: q.limit,
      offset: q.offset,
      ...(q.state ? { state: q.state } : {}),
      ...(q.run_type ? { runType: q.run_type } : {}),
    });
    res.json({ dag_id: dagId, runs: await withNotes(engine, runs), limit: q.limit, offset: q.offset });
  });

  r.post('/dags/:dagId/runs', mutation, async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId, true);
    const { conf } = triggerBody.parse(req.body ?? {});
    const run = await auditedTrigger(deps, req, res, dagId, conf);
    res.status(201).location(`/api/runs/${run.id}`).json(run);
  });

  r.get('/dags/:dagId/grid', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    const { limit } = pagination.parse(req.query);
    res.json(await gridOf(deps, catalog.get(dagId), Math.min(limit, 50)));
  });

  r.get('/runs', async (req, res) => {
    const q = runsQuery.parse(req.query);
    const runs = await engine.listRuns({
      limit: q.limit,
      offset: q.offset,
      ...(q.state ? { state: q.state } : {}),
      ...(q.run_type ? { runType: q.run_type } : {}),
    });
    res.json({ runs: await withNotes(engine, runs), limit: q.limit, offset: q.offset });
  });

  r.get('/runs/:runId', async (req, res) => {
    const { runId } = runParams.parse(req.params);
    const found = await engine.getRun(runId);
    if (!found) throw notFound(`run ${runId}`);
    const [run] = await withNotes(engine, [found.run]);
    res.json({ ...run, task_instances: found.tasks.map(taskInstanceJson) });
  });

  r.post('/runs/:runId/clear', mutation, async (req, res) => {
    const { runId } = runParams.parse(req.params);
    const body = clearBody.parse(req.body ?? {});
    if (!(await engine.getRun(runId))) throw notFound(`run ${runId}`);
    const result = await audited(
      deps,
      req,
      res,
      { action: 'run.clear', runId, detail: { ...body } },
      () =>
        engine.clearTasks(runId, {
          ...(body.task_ids ? { taskIds: body.task_ids } : {}),
          downstream: body.downstream,
          onlyFailed: body.only_failed,
        }),
      (r) => ({ detail: { cleared: r.cleared } }),
    );
    res.json(result);
  });

  r.get('/runs/:runId/tasks/:taskId', async (req, res) => {
    const { runId, taskId } = taskParams.parse(req.params);
    const found = await engine.getRun(runId);
    const ti = found?.tasks.find((t) => t.task_id === taskId);
    if (!found || !ti) throw notFound(`task '${taskId}' of run ${runId}`);
    // A mapped task's instance is defined by its task.
    const definition = catalog.byId.get(found.run.dag_id)?.taskById.get(parseInstanceId(taskId).taskId);
    res.json({ ...taskInstanceJson(ti), definition: definition ? taskDefinition(definition) : null });
  });

  r.get('/dags/:dagId/runs/:runId/tasks/:taskId/instances', async (req, res) => {
    const { dagId, runId, taskId } = mappedTaskParams.parse(req.params);
    const definition = catalog.get(dagId).taskById.get(taskId);
    if (!definition) throw notFound(`task '${taskId}' of ${dagId}`);
    if (definition.mapOver === undefined)
      throw notFound(`task '${taskId}' of ${dagId} is not mapped: it has no instances`);
    const found = await engine.getRun(runId);
    if (!found || found.run.dag_id !== dagId) throw notFound(`run ${runId} of ${dagId}`);
    const parent = found.tasks.find((t) => t.task_id === taskId);
    const mapped = mappedInstancesOf(found.tasks, taskId);
    const current = new Set(mapped?.instances.map((i) => i.task_id));
    res.json({
      dag_id: dagId,
      run_id: runId,
      task_id: taskId,
      map_over: definition.mapOver,
      state: parent?.state ?? 'none',
      map_count: parent?.map_count ?? null,
      counts: mapped?.counts ?? {},
      instances: found.tasks.filter((t) => current.has(t.task_id)).map(taskInstanceJson),
    });
  });

  r.post('/runs/:runId/tasks/:taskId/mark', mutation, async (req, res) => {
    const { runId, taskId } = taskParams.parse(req.params);
    const { state } = markBody.parse(req.body ?? {});
    const found = await engine.getRun(runId);
    if (!found?.tasks.some((t) => t.task_id === taskId)) throw notFound(`task '${taskId}' of run ${runId}`);
    await audited(deps, req, res, { action: 'task.mark', runId, taskId, detail: { state } }, () =>
      engine.markTask(runId, taskId, state),
    );
    const after = (await engine.getRun(runId))?.tasks.find((t) => t.task_id === taskId);
    res.json(after && taskInstanceJson(after));
  });

  r.get('/runs/:runId/tasks/:taskId/logs', async (req, res) => {
    const { runId, taskId } = taskParams.parse(req.params);
    const q = logsQuery.parse(req.query);
    const found = await engine.getRun(runId);
    const ti = found?.tasks.find((t) => t.task_id === taskId);
    if (!found || !ti) throw notFound(`task '${taskId}' of run ${runId}`);
    const lines = await engine.taskLogs(runId, taskId, q.try, q.after);
    // The state was read before the lines: a try final by then had written all its lines, so a
    // poller that stops on `final` misses none.
    const final = tryIsFinal(ti, found.run, q.try ?? ti.try_number);
    res.json({
      run_id: runId,
      task_id: taskId,
      try_number: q.try ?? null,
      after: q.after ?? null,
      state: ti.state,
      final,
      lines,
      ...(final ? { output: ti.output ?? null, error: ti.error ?? null } : {}),
    });
  });

  r.get('/dags/:dagId/backfills', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId);
    res.json({ backfills: await engine.listBackfills({ dagId }) });
  });

  r.post('/dags/:dagId/backfills', mutation, async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    catalog.get(dagId, true);
    const body = backfillBody.parse(req.body ?? {});
    const backfill = await audited(
      deps,
      req,
      res,
      { action: 'backfill.create', dagId, detail: { ...body } },
      () => engine.startBackfill({ dagId, ...body }),
      (b) => ({ detail: { backfill_id: b.id, total: b.total } }),
    );
    res.status(201).location(`/api/backfills/${backfill.id}`).json(backfill);
  });

  r.get('/backfills', async (_req, res) => {
    res.json({ backfills: await engine.listBackfills({}) });
  });

  r.get('/backfills/:backfillId', async (req, res) => {
    const { backfillId } = backfillParams.parse(req.params);
    const backfill = await engine.getBackfill(backfillId);
    if (!backfill) throw notFound(`backfill ${backfillId}`);
    res.json(backfill);
  });

  return r;
}
