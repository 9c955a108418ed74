import { Router } from 'express';
import type { RouteDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { ganttOf } from '../gantt.js';
import { taskGraphOf } from '../taskGraph.js';
import { currentYearIn, runCalendarOf } from '../runCalendar.js';
import { taskDurationsOf } from '../taskDurations.js';
import { calendarQuery, dagParams, durationsQuery, runParams } from '../validation.js';

/** The data behind the DAG page's views: task graph, Gantt of a run, durations, calendar. */
export function dagViewsApi(deps: RouteDeps): Router {
  const { catalog, engine } = deps;
  const r = Router();

  r.get('/dags/:dagId/graph', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    res.json(await taskGraphOf(deps, catalog.get(dagId)));
  });

  r.get('/dags/:dagId/durations', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    const { limit } = durationsQuery.parse(req.query);
    res.json(await taskDurationsOf(deps, catalog.get(dagId), limit));
  });

  r.get('/dags/:dagId/calendar', async (req, res) => {
    const { dagId } = dagParams.parse(req.params);
    const dag = catalog.get(dagId);
    const { year } = calendarQuery.parse(req.query);
    res.json(await runCalendarOf(deps, dag, year ?? currentYearIn(dag.timezone)));
  });

  r.get('/runs/:runId/gantt', async (req, res) => {
    const { runId } = runParams.parse(req.params);
    const found = await engine.getRun(runId);
    if (!found) throw notFound(`run ${runId}`);
    res.json(
      ganttOf(
        found,
        catalog.get(found.run.dag_id).tasks.map((t) => t.id),
      ),
    );
  });

  return r;
}
