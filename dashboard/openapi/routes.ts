import {
  assetParams,
  auditQuery,
  backfillBody,
  backfillParams,
  calendarQuery,
  cancelBackfillBody,
  cancelBody,
  clearBody,
  dagParams,
  dagRunParams,
  dagTaskParams,
  durationsQuery,
  logsQuery,
  mappedTaskParams,
  markBody,
  noteBody,
  pagination,
  pauseBody,
  runParams,
  runsQuery,
  taskParams,
  triggerBody,
} from '../validation.js';
import type { ApiRoute } from './route.js';
import { WAREHOUSE_ROUTES } from './warehouseRoutes.js';

export type { ApiRoute } from './route.js';

const run = (r: Omit<ApiRoute, 'tag'>): ApiRoute => ({ tag: 'Runs', ...r });

/**
 * Every route of `/api`, as the OpenAPI document describes it. The inputs are the very zod schemas
 * the handlers parse with, so the document cannot drift from what a handler accepts; a spec walks
 * the routers and checks that each route they register is here and each one here is registered.
 */
export const API_ROUTES: ApiRoute[] = [
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'Meta', access: 'open' },
  // DAGs
  {
    method: 'get',
    path: '/dags',
    summary: 'The DAGs with their latest runs',
    tag: 'DAGs',
    returns: 'DagList',
  },
  { method: 'get', path: '/dags/:dagId', summary: 'One DAG', tag: 'DAGs', params: dagParams, returns: 'Dag' },
  {
    method: 'patch',
    path: '/dags/:dagId',
    summary: 'Pause or unpause a DAG (audited as dag.pause / dag.unpause)',
    tag: 'DAGs',
    params: dagParams,
    body: pauseBody,
    returns: 'Dag',
    access: 'operator',
  },
  {
    method: 'get',
    path: '/dags/:dagId/grid',
    summary: 'Runs × tasks grid',
    tag: 'DAGs',
    params: dagParams,
    query: pagination,
  },
  { method: 'get', path: '/dags/:dagId/graph', summary: 'The task graph', tag: 'DAGs', params: dagParams },
  {
    method: 'get',
    path: '/dags/:dagId/durations',
    summary: 'Task durations of the latest runs',
    tag: 'DAGs',
    params: dagParams,
    query: durationsQuery,
  },
  {
    method: 'get',
    path: '/dags/:dagId/calendar',
    summary: 'Run states per day of a year',
    tag: 'DAGs',
    params: dagParams,
    query: calendarQuery,
  },
  // Runs
  run({
    method: 'get',
    path: '/dags/:dagId/runs',
    summary: "A DAG's runs, newest first",
    params: dagParams,
    query: runsQuery,
    returns: 'RunList',
  }),
  run({
    method: 'post',
    path: '/dags/:dagId/runs',
    summary: 'Trigger a run (audited as run.trigger)',
    params: dagParams,
    body: triggerBody,
    status: 201,
    returns: 'Run',
    access: 'operator',
  }),
  run({
    method: 'get',
    path: '/dags/:dagId/runs/:runId/note',
    summary: "A run's note",
    params: dagRunParams,
    returns: 'RunNote',
  }),
  run({
    method: 'put',
    path: '/dags/:dagId/runs/:runId/note',
    summary: "Set a run's note; a blank note removes it (audited as run.note)",
    params: dagRunParams,
    body: noteBody,
    returns: 'RunNote',
    access: 'operator',
  }),
  run({
    method: 'get',
    path: '/runs',
    summary: 'Runs of every DAG, newest first',
    query: runsQuery,
    returns: 'RunList',
  }),
  run({
    method: 'get',
    path: '/runs/:runId',
    summary: 'A run with its task instances',
    params: runParams,
    returns: 'Run',
  }),
  run({ method: 'get', path: '/runs/:runId/gantt', summary: "A run's Gantt chart data", params: runParams }),
  run({
    method: 'post',
    path: '/runs/:runId/clear',
    summary: 'Clear task instances so they run again (audited as run.clear)',
    params: runParams,
    body: clearBody,
    access: 'operator',
  }),
  run({
    method: 'get',
    path: '/runs/:runId/tasks/:taskId',
    summary: 'A task instance, with why it waits and its definition (a sensor, a branch, depends on past)',
    params: taskParams,
    returns: 'TaskInstance',
  }),
  run({
    method: 'get',
    path: '/dags/:dagId/runs/:runId/tasks/:taskId/instances',
    summary: "A mapped task's instances in a run, in index order, with their counts by state",
    params: mappedTaskParams,
    returns: 'MappedInstances',
  }),
  run({
    method: 'post',
    path: '/runs/:runId/tasks/:taskId/mark',
    summary: 'Mark a task instance success or failed (audited as task.mark)',
    params: taskParams,
    body: markBody,
    returns: 'TaskInstance',
    access: 'operator',
  }),
  run({
    method: 'get',
    path: '/runs/:runId/tasks/:taskId/logs',
    summary: "A task instance's log lines",
    params: taskParams,
    query: logsQuery,
  }),
  // Cancel (each answers 409 when what it names has already ended)
  ...(
    [
      ['/runs/:runId/cancel', runParams, 'Cancel a run: running tries are aborted (audited as run.cancel)'],
      ['/dags/:dagId/runs/:runId/cancel', dagRunParams, 'Cancel a run of this DAG (audited as run.cancel)'],
      ['/runs/:runId/tasks/:taskId/cancel', taskParams, 'Cancel one task instance (audited as task.cancel)'],
      [
        '/dags/:dagId/runs/:runId/tasks/:taskId/cancel',
        dagTaskParams,
        'Cancel one task instance of a run of this DAG (audited as task.cancel)',
      ],
    ] as const
  ).map(([path, params, summary]) =>
    run({ method: 'post', path, summary, params, body: cancelBody, access: 'operator' }),
  ),
  // Backfills
  {
    method: 'post',
    path: '/backfills/:backfillId/cancel',
    summary: 'Cancel a backfill: no new runs, its queued runs cancelled (audited as backfill.cancel)',
    tag: 'Backfills',
    params: backfillParams,
    body: cancelBackfillBody,
    access: 'operator',
  },
  {
    method: 'get',
    path: '/dags/:dagId/backfills',
    summary: "A DAG's backfills",
    tag: 'Backfills',
    params: dagParams,
    returns: 'BackfillList',
  },
  {
    method: 'post',
    path: '/dags/:dagId/backfills',
    summary: 'Start a backfill (audited as backfill.create)',
    tag: 'Backfills',
    params: dagParams,
    body: backfillBody,
    status: 201,
    returns: 'Backfill',
    access: 'operator',
  },
  {
    method: 'get',
    path: '/backfills',
    summary: 'Every backfill, newest first',
    tag: 'Backfills',
    returns: 'BackfillList',
  },
  {
    method: 'get',
    path: '/backfills/:backfillId',
    summary: 'One backfill with its progress',
    tag: 'Backfills',
    params: backfillParams,
    returns: 'Backfill',
  },
  // Assets
  {
    method: 'get',
    path: '/assets',
    summary: 'Every declared asset with its latest partition',
    tag: 'Assets',
  },
  {
    method: 'get',
    path: '/assets/:assetKey',
    summary: 'One asset: its newest partitions, the runs that wrote and read them',
    tag: 'Assets',
    params: assetParams,
  },
  ...WAREHOUSE_ROUTES,
  // Audit
  {
    method: 'get',
    path: '/audit',
    summary: 'The audit log, newest first (operators only)',
    tag: 'Audit',
    query: auditQuery,
    returns: 'AuditPage',
    access: 'operator',
  },
];
