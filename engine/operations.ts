import { InvalidInputError } from '../platform/index.js';
import {
  dagSummaries,
  getRunRow,
  listRuns as listRunRows,
  lockRun,
  forceTaskState,
  reopenRun,
  resetTasks,
  setPaused as setPausedRow,
  taskInstances,
  taskLogs,
  type DagRunRow,
  type TaskLogQuery,
  type TaskLogRow,
} from './store/index.js';
import type { Dag } from './dag.js';
import type { Engine } from './engine.js';
import { validateParams } from './params.js';
import { latestEndedInterval } from './schedule.js';
import { readTaskLog, type TaskLogView } from './taskLog.js';
import { advanceRun, createRunInTx } from './transitions.js';
import { withWaits, type TaskInstanceDetail } from './whyWaiting.js';
import { taskOfInstance } from './mapping.js';
import { checkInstances, planClear, queueInstances } from './mappedOperations.js';
import { grantAndEnqueue } from './pools.js';
import { advanceRunsReleasedBy } from './dependsOnPast.js';

export interface DagSummary {
  dag_id: string;
  schedule: string | null;
  timezone: string;
  description: string | null;
  tags: string[];
  catchup: boolean;
  max_active_runs: number;
  is_paused: boolean;
  tasks: Array<{ task_id: string; upstream: string[]; pool: string; trigger_rule: string; retries: number }>;
  /** Assets whose new events start a run (`onAssets`), and those a cron run waits for (`waitForAssets`). */
  on_assets: string[];
  wait_for_assets: string[];
  last_run: { logical_date: Date; state: string } | null;
  runs: { running: number; success: number; failed: number; cancelled: number };
}

/**
 * The DAGs as defined in code, with what PostgreSQL holds of each (pause flag, runs).
 * `history: false` leaves PostgreSQL out: every DAG unpaused and without runs.
 */
export async function listDags(engine: Engine, options: { history?: boolean } = {}): Promise<DagSummary[]> {
  const summaries = options.history === false ? [] : await dagSummaries(engine.knex);
  const rows = new Map(summaries.map((r) => [r.dag_id, r]));
  return [...engine.dags.values()].map((d) => {
    const r = rows.get(d.id);
    return {
      dag_id: d.id,
      schedule: d.schedule,
      timezone: d.timezone,
      description: d.description ?? null,
      tags: [...d.tags],
      catchup: d.catchup,
      max_active_runs: d.maxActiveRuns,
      is_paused: r?.is_paused ?? false,
      tasks: d.tasks.map((t) => ({
        task_id: t.id,
        upstream: t.upstream,
        pool: t.pool,
        trigger_rule: t.triggerRule,
        retries: t.retries,
      })),
      on_assets: d.onAssets.map((a) => a.key),
      wait_for_assets: d.waitForAssets.map((a) => a.key),
      last_run: r?.last_logical_date ? { logical_date: r.last_logical_date, state: r.last_state! } : null,
      runs: {
        running: r?.running ?? 0,
        success: r?.success ?? 0,
        failed: r?.failed ?? 0,
        cancelled: r?.cancelled ?? 0,
      },
    };
  });
}

export async function setPaused(engine: Engine, dagId: string, paused: boolean): Promise<void> {
  engine.dag(dagId);
  await setPausedRow(engine.knex, dagId, paused);
  engine.logger.info({ dag_id: dagId }, paused ? 'DAG paused' : 'DAG unpaused');
}

export async function listRuns(
  engine: Engine,
  filter: { dagId?: string; state?: string; limit?: number } = {},
): Promise<DagRunRow[]> {
  if (filter.dagId) engine.dag(filter.dagId);
  return listRunRows(engine.knex, filter);
}

export type RunDetail = DagRunRow & { task_instances: TaskInstanceDetail[] };

/** A run with its task instances (each with why it waits, where that needs saying), or undefined. */
export async function getRun(engine: Engine, runId: number): Promise<RunDetail | undefined> {
  const run = await getRunRow(engine.knex, runId);
  if (!run) return undefined;
  const tasks = await taskInstances(engine.knex, runId);
  const dag = engine.dags.get(run.dag_id);
  return { ...run, task_instances: await withWaits(engine.knex, dag, run, tasks, engine.now()) };
}

/**
 * A task instance's stored log lines, oldest first: the task's own (`source: 'task'`) and the
 * engine's events on each try (`source: 'engine'`, `fields.event`). One try, or lines after an id.
 */
export async function getTaskLogs(
  engine: Engine,
  runId: number,
  taskId: string,
  query?: number | TaskLogQuery,
): Promise<TaskLogRow[]> {
  return taskLogs(engine.knex, runId, taskId, typeof query === 'number' ? { tryNumber: query } : query);
}

/** A task instance's log per try with its state and output, for pages and live views (`readTaskLog`). */
export async function getTaskLog(
  engine: Engine,
  runId: number,
  taskId: string,
  query: TaskLogQuery = {},
): Promise<TaskLogView> {
  return readTaskLog(engine.knex, runId, taskId, query);
}

/**
 * Triggers a manual run. Its logical date is the trigger time (unique per DAG, like Airflow);
 * its data interval is the latest interval of the schedule that has ended, so a manual run of a
 * nightly DAG processes the last complete day. Params are validated before anything is stored.
 */
export async function triggerRun(
  engine: Engine,
  dagId: string,
  options: { conf?: unknown; logicalDate?: Date } = {},
): Promise<DagRunRow> {
  const dag = engine.dag(dagId);
  const conf = validateParams(dag, options.conf ?? {});
  const now = engine.now();
  let logical = options.logicalDate ?? now;
  const interval =
    dag.schedule !== null
      ? latestEndedInterval({ schedule: dag.schedule, timezone: dag.timezone }, logical, dag.startDate)
      : undefined;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    // One statement creates the run, its task instances and its queued roots, atomically.
    const created = await createRunInTx(engine.knex, dag, {
      runType: 'manual',
      logicalDate: logical,
      dataIntervalStart: interval?.start ?? logical,
      dataIntervalEnd: interval?.end ?? logical,
      conf,
    });
    if (created) {
      await engine.queues.enqueue(created.queued);
      if (created.scheduled) await grantAndEnqueue(engine);
      engine.logger.info({ dag_id: dag.id, run_id: created.runId }, 'run triggered');
      return created.run;
    }
    if (options.logicalDate)
      throw new InvalidInputError(`DAG '${dag.id}' already has a run at ${logical.toISOString()}`);
    logical = new Date(logical.getTime() + 1); // two triggers in the same millisecond
  }
  throw new InvalidInputError(
    `DAG '${dag.id}': could not find a free logical date near ${now.toISOString()}`,
  );
}

/** Polls until the run is no longer running; resolves with its final row. */
export async function waitForRun(
  engine: Engine,
  runId: number,
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<DagRunRow> {
  for (;;) {
    const run = await getRunRow(engine.knex, runId);
    if (!run) throw new InvalidInputError(`unknown run ${runId}`);
    if (run.state !== 'running') return run;
    if (options.signal?.aborted) throw options.signal.reason;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}

async function runAndDag(engine: Engine, runId: number): Promise<{ run: DagRunRow; dag: Dag }> {
  const run = await getRunRow(engine.knex, runId);
  if (!run) throw new InvalidInputError(`unknown run ${runId}`);
  return { run, dag: engine.dag(run.dag_id) };
}

/**
 * Clears task instances of a run so they run again (every task when `taskIds` is empty),
 * optionally with everything downstream of them; the run reopens. A mapped task is cleared with
 * its instances (and expanded again); one of its instances (`task[i]`) alone runs again at once.
 */
export async function clearTasks(
  engine: Engine,
  runId: number,
  options: { taskIds?: string[]; downstream?: boolean } = {},
): Promise<{ cleared: string[] }> {
  const { dag } = await runAndDag(engine, runId);
  const picked = options.taskIds?.length ? options.taskIds : dag.tasks.map((t) => t.id);
  const { cleared, instances } = planClear(dag, picked, options.downstream ?? false);
  const queued = await engine.knex.transaction(async (trx) => {
    await lockRun(trx, runId);
    await checkInstances(trx, runId, instances);
    await resetTasks(
      trx,
      runId,
      cleared.map((t) => ({ taskId: t, retries: taskOfInstance(dag, t)!.retries })),
    );
    const again = await queueInstances(trx, dag, runId, instances);
    return [...again, ...(await advanceRun(trx, dag, runId)).queued];
  });
  await engine.queues.enqueue(queued);
  // A cleared task may have held a slot, and cleared tasks may now wait for one.
  await grantAndEnqueue(engine);
  engine.logger.info({ dag_id: dag.id, run_id: runId, tasks: cleared }, 'tasks cleared');
  return { cleared };
}

/**
 * Marks a task instance success or failed by hand (a mapped task with its instances, or one of
 * them); downstream tasks follow their trigger rules.
 */
export async function markTask(
  engine: Engine,
  runId: number,
  taskId: string,
  state: 'success' | 'failed',
): Promise<void> {
  const { dag } = await runAndDag(engine, runId);
  if (!taskOfInstance(dag, taskId)) throw new InvalidInputError(`DAG '${dag.id}' has no task '${taskId}'`);
  if (state !== 'success' && state !== 'failed')
    throw new InvalidInputError(`state must be success or failed`);
  const queued = await engine.knex.transaction(async (trx) => {
    await lockRun(trx, runId);
    await forceTaskState(trx, runId, taskId, state);
    // A run that had ended reopens if the change lets downstream tasks run.
    await reopenRun(trx, runId);
    return (await advanceRun(trx, dag, runId)).queued;
  });
  await engine.queues.enqueue(queued);
  // A dependsOnPast task marked success lets the same task of the next run start.
  if (state === 'success') await advanceRunsReleasedBy(engine, [{ dag, runId, taskId }]);
  await grantAndEnqueue(engine);
  engine.logger.info({ dag_id: dag.id, run_id: runId, task_id: taskId, state }, 'task marked');
}
