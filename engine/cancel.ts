import { ConflictError, InvalidInputError } from '../platform/index.js';
import {
  cancelTasks,
  findTimedOutRuns,
  getRunRow,
  lockRun,
  markRunCancelled,
  taskInstance,
  type CancelledTask,
  type RunState,
} from './store/index.js';
import type { Engine } from './engine.js';
import { runTimedOutMail, sendAlert } from './alerts.js';
import { advanceRun } from './transitions.js';
import { taskOfInstance } from './mapping.js';
import { grantAndEnqueue } from './pools.js';

/** Who cancels, and why (shown on the run, in the task's error and in its log). */
export interface CancelRequest {
  /** A user name, `scheduler` for the run timeout, `backfill N` for a cancelled backfill. */
  by: string;
  /** @defaultValue 'cancelled by <by>' */
  reason?: string;
}

export interface CancelResult {
  runId: number;
  dagId: string;
  /** The run's state afterwards. */
  runState: RunState;
  /** The task instances cancelled, with the state each was in (`running` ones get aborted). */
  cancelled: CancelledTask[];
}

const reasonOf = (request: CancelRequest) => request.reason?.trim() || `cancelled by ${request.by}`;

/**
 * Cancels a running run: every task instance that has not ended becomes `cancelled` (running
 * tries are aborted by their workers at their next heartbeat, and their late results discarded),
 * nothing more of the run starts, and the run ends `cancelled` with who and why. A run that has
 * already ended is a `ConflictError` and nothing changes; clearing tasks reruns a cancelled run.
 */
export async function cancelRun(
  engine: Engine,
  runId: number,
  request: CancelRequest,
): Promise<CancelResult> {
  const reason = reasonOf(request);
  const result = await engine.knex.transaction(async (trx) => {
    const run = await lockRun(trx, runId);
    if (!run) throw new InvalidInputError(`unknown run ${runId}`);
    if (run.state !== 'running')
      throw new ConflictError(`run ${runId} has already ended (${run.state}): nothing to cancel`);
    const cancelled = await cancelTasks(trx, runId, undefined, { by: request.by, reason });
    await markRunCancelled(trx, runId, { by: request.by, reason });
    return { runId, dagId: run.dag_id, runState: 'cancelled' as const, cancelled };
  });
  // The slots its task instances held are free now.
  if (result.cancelled.length > 0) await grantAndEnqueue(engine);
  engine.logger.info(
    {
      dag_id: result.dagId,
      run_id: runId,
      by: request.by,
      reason,
      tasks: result.cancelled.map((t) => t.task_id),
    },
    'run cancelled',
  );
  return result;
}

/**
 * Cancels one task instance that has not ended (waiting, queued, running, up for retry or a sensor
 * between pokes; a mapped task with its instances, or one of them): it becomes `cancelled` (a
 * running try is aborted, its late result discarded) and its downstream tasks follow their trigger
 * rules (see `evaluateRun`: all_success and none_failed tasks are cancelled too, all_done tasks
 * run). A task that has already ended is a `ConflictError`.
 */
export async function cancelTask(
  engine: Engine,
  runId: number,
  taskId: string,
  request: CancelRequest,
): Promise<CancelResult> {
  const reason = reasonOf(request);
  const found = await getRunRow(engine.knex, runId);
  if (!found) throw new InvalidInputError(`unknown run ${runId}`);
  const dag = engine.dag(found.dag_id);
  if (!taskOfInstance(dag, taskId)) throw new InvalidInputError(`DAG '${dag.id}' has no task '${taskId}'`);
  const { result, queued } = await engine.knex.transaction(async (trx) => {
    await lockRun(trx, runId);
    const cancelled = await cancelTasks(trx, runId, [taskId], { by: request.by, reason });
    if (cancelled.length === 0) {
      const state = (await taskInstance(trx, runId, taskId))?.state ?? 'unknown';
      throw new ConflictError(
        `task '${taskId}' of run ${runId} has already ended (${state}): nothing to cancel`,
      );
    }
    const advanced = await advanceRun(trx, dag, runId);
    if (advanced.runState === 'cancelled') await markRunCancelled(trx, runId, { by: request.by, reason });
    return {
      result: { runId, dagId: dag.id, runState: advanced.runState, cancelled },
      queued: advanced.queued,
    };
  });
  // all_done tasks downstream of the cancelled one may start now, and its slot is free.
  await engine.queues.enqueue(queued);
  await grantAndEnqueue(engine);
  engine.logger.info(
    { dag_id: dag.id, run_id: runId, task_id: taskId, by: request.by, reason },
    'task cancelled',
  );
  return result;
}

/**
 * The run timeout (`dagRunTimeoutMs`, Airflow's `dagrun_timeout`): cancels every running run that
 * has run longer than its DAG allows, with the reason "run timed out after …", and e-mails it.
 * Called by every scheduler pass; returns the runs it cancelled.
 */
export async function cancelTimedOutRuns(engine: Engine): Promise<CancelResult[]> {
  const timeouts = [...engine.dags.values()].flatMap((d) =>
    d.dagRunTimeoutMs === undefined ? [] : [{ dagId: d.id, timeoutMs: d.dagRunTimeoutMs }],
  );
  const out: CancelResult[] = [];
  for (const run of await findTimedOutRuns(engine.knex, timeouts, engine.now())) {
    const timeoutMs = engine.dags.get(run.dag_id)!.dagRunTimeoutMs!;
    const reason = `run timed out after ${timeoutMs} ms`;
    try {
      out.push(await cancelRun(engine, run.id, { by: 'scheduler', reason }));
    } catch (err) {
      if (err instanceof ConflictError) continue; // it ended meanwhile
      throw err;
    }
    engine.logger.warn({ dag_id: run.dag_id, run_id: run.id, since: run.since }, reason);
    await sendAlert(
      engine.mailer,
      engine.logger,
      runTimedOutMail({ dagId: run.dag_id, runId: run.id, logicalDate: run.logical_date, timeoutMs }),
    );
  }
  return out;
}
