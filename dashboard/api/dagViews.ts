import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { taskGraphOf } from '../taskGraph.js';
import { dagParams } from '../validation.js';

/** The data behind the DAG page's views: task graph, Gantt of a run, durations, calendar. */
export function dagViewsApi(deps: RouteDeps): Router {
  const { catalog } = deps;
  const r = Router();

  r.get('/dags/:dagId/graph', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    res.json(await taskGraphOf(deps, catalog.get(dagId)));
  });

  return r;
}
