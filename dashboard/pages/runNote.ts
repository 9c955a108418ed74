import { Router } from 'express';
import { z } from 'zod';
import { actorOf } from '../audit.js';
import { requireMutation } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { classifyError, notFound } from '../errors.js';
import { dagRunParams, noteText } from '../validation.js';
import { runHref } from '../views/dagViews.js';
import { redirectWithFlash } from './context.js';

const noteForm = z.object({ note: noteText.default('') });

/** The run page's note form: operators set or (blank) remove a run's note. */
export function runNotePages(deps: RouteDeps): Router {
  const { catalog, engine, policy } = deps;
  const r = Router();

  r.post('/dags/:dagId/runs/:runId/note', requireMutation(policy, 'page'), async (req, res) => {
    const { dagId, runId } = dagRunParams.parse(req.params);
    catalog.get(dagId);
    const found = await engine.getRun(runId);
    if (!found || found.run.dag_id !== dagId) throw notFound(`run ${runId} of ${dagId}`);
    const back = `${runHref(dagId, runId)}#run-note`;
    try {
      const { note } = noteForm.parse(req.body);
      const saved = await engine.setRunNote(runId, note, actorOf(req, res));
      redirectWithFlash(res, back, saved ? 'note saved' : 'note removed');
    } catch (err) {
      const { status, message } = classifyError(err);
      if (status !== 400) throw err;
      redirectWithFlash(res, back, `note not saved: ${message}`);
    }
  });

  return r;
}
