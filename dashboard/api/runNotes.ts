import { Router } from 'express';
import { actorOf } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { dagRunParams, noteBody } from '../validation.js';

/** A run's note: read it, or set it (operators; a blank note removes it). */
export function runNotesApi(deps: RouteDeps): Router {
  const { engine, catalog, policy } = deps;
  const r = Router();

  const loadRun = async (dagId: string, runId: number) => {
    catalog.get(dagId);
    const found = await engine.getRun(runId);
    if (!found || found.run.dag_id !== dagId) throw notFound(`run ${runId} of ${dagId}`);
  };
  const view = (dagId: string, runId: number, note: Awaited<ReturnType<typeof engine.setRunNote>>) => ({
    dag_id: dagId,
    run_id: runId,
    note: note?.note ?? null,
    updated_by: note?.updated_by ?? null,
    updated_at: note?.updated_at ?? null,
  });

  r.get('/dags/:dagId/runs/:runId/note', async (req, res) => {
    const { dagId, runId } = dagRunParams.parse(req.params);
    await loadRun(dagId, runId);
    res.json(view(dagId, runId, (await engine.runNotes([runId])).get(runId) ?? null));
  });

  r.put('/dags/:dagId/runs/:runId/note', requireMutation(policy, 'api'), async (req, res) => {
    const { dagId, runId } = dagRunParams.parse(req.params);
    const { note } = noteBody.parse(req.body ?? {});
    await loadRun(dagId, runId);
    res.json(view(dagId, runId, await engine.setRunNote(runId, note, actorOf(req, res))));
  });

  return r;
}
