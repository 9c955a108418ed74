import { ConflictError, InvalidInputError } from '../platform/index.js';
import {
  backfillRunCounts,
  backfillRunsToCancel,
  findRunningBackfill,
  findStrandedTries,
  getBackfill,
  insertBackfill,
  listBackfills as listBackfillRows,
  lockBackfill,
  updateBackfill,
  type BackfillRow,
} from './store/index.js';
import type { Dag } from './dag.js';
import type { Engine } from './engine.js';
import { validateParams } from './params.js';
import { cancelRun, type CancelRequest } from './cancel.js';
import { advanceIdleRuns } from './recovery.js';
import { intervalsBetween, type DataInterval } from './schedule.js';
import { stepBackfill } from './backfillStep.js';
import { grantAndEnqueue } from './pools.js';

export interface BackfillRequest {
  /** First logical date (inclusive). */
  from: Date;
  /** Last logical date (inclusive). */
  to: Date;
  /** Backfill runs running at once. @defaultValue 16 */
  concurrency?: number;
  /** Rerun intervals that already succeeded. @defaultValue false */
  reset?: boolean;
  /**
   * The priority of its runs: production runs have 0, and a run below another has its tasks
   * granted slots and taken by workers after the other's. @defaultValue -1
   */
  priority?: number;
  conf?: Record<string, unknown>;
}

export interface BackfillProgress {
  id: number;
  dagId: string;
  state: BackfillRow['state'];
  total: number;
  succeeded: number;
  failed: number;
  /** Runs of this backfill that were cancelled (by hand, by the run timeout, with the backfill). */
  cancelled: number;
  running: number;
  /** Intervals that had already succeeded before the backfill (not rerun without `reset`). */
  skipped: number;
  done: number;
}

/** The intervals a backfill of [from, to] covers: those starting in the range that have ended. */
export function planBackfill(dag: Dag, from: Date, to: Date, now = new Date()): DataInterval[] {
  if (dag.schedule === null) throw new InvalidInputError(`DAG '${dag.id}' has no schedule to backfill`);
  if (!(from <= to)) throw new InvalidInputError('--from must not be after --to');
  return intervalsBetween({ schedule: dag.schedule, timezone: dag.timezone }, from, to).filter(
    (i) => i.end <= now,
  );
}

/**
 * Starts a backfill, or resumes the running one of the same DAG and range (so repeating an
 * interrupted command continues where it stopped). Runs are then created by `advanceBackfill`,
 * which the command and every scheduler pass call.
 */
export async function startBackfill(
  engine: Engine,
  dagId: string,
  request: BackfillRequest,
): Promise<BackfillRow> {
  const dag = engine.dag(dagId);
  const concurrency = request.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidInputError('concurrency must be a whole number ≥ 1');
  const priority = request.priority ?? -1;
  if (!Number.isInteger(priority) || Math.abs(priority) > 1_000_000)
    throw new InvalidInputError('priority must be a whole number from -1000000 to 1000000');
  const conf = validateParams(dag, request.conf ?? {});
  const intervals = planBackfill(dag, request.from, request.to, engine.now());
  const existing = await findRunningBackfill(engine.knex, dag.id, request.from, request.to);
  if (existing) {
    if (existing.concurrency !== concurrency || existing.priority !== priority)
      await updateBackfill(engine.knex, existing.id, { concurrency, priority });
    // A command killed at the wrong moment leaves work only PostgreSQL knows of: a try committed
    // but never enqueued, or a run whose last result was recorded but not acted on. The
    // scheduler's sweep finds both after a while; the resumed command puts its own right at once
    // (job ids are per try, so a job that still exists is left alone).
    const waiting = await findStrandedTries(engine.knex, 0, { backfillId: existing.id });
    const reenqueued = waiting.length > 0 ? await engine.queues.reenqueue(waiting) : 0;
    const advanced = (await advanceIdleRuns(engine, { backfillId: existing.id })).length;
    engine.logger.info(
      { dag_id: dag.id, backfill_id: existing.id, reenqueued, advanced },
      'backfill resumed',
    );
    return { ...existing, concurrency, priority };
  }
  const row = await insertBackfill(engine.knex, {
    dagId: dag.id,
    from: request.from,
    to: request.to,
    concurrency,
    reset: request.reset ?? false,
    conf,
    total: intervals.length,
    priority,
  });
  engine.logger.info(
    { dag_id: dag.id, backfill_id: row.id, intervals: intervals.length },
    'backfill started',
  );
  return row;
}

/**
 * Moves a backfill forward: fills free slots (up to its concurrency) with runs for the next
 * intervals, oldest first, from where it stands (`stepBackfill`): an interval that already
 * succeeded is skipped unless `reset`; one that failed before this backfill is cleared and rerun;
 * one this backfill ran is final. Its runs get the backfill's priority (below production runs by
 * default, so their tasks yield to production tasks for pool slots and worker queues). Ends the
 * backfill when every interval is final. Safe to call from many processes at once; a step costs
 * what it starts, not the length of the range.
 */
export async function advanceBackfill(
  engine: Engine,
  dag: Dag,
  backfillId: number,
): Promise<BackfillProgress> {
  const { progress, queued, scheduled } = await engine.knex.transaction(async (trx) => {
    await lockBackfill(trx, backfillId);
    const b = await getBackfill(trx, backfillId);
    if (!b) throw new InvalidInputError(`unknown backfill ${backfillId}`);
    const counts = await backfillRunCounts(trx, b.id);
    const progressOf = (running: number, skipped: number): BackfillProgress => {
      const done = counts.success + counts.failed + counts.cancelled + skipped;
      return {
        id: b.id,
        dagId: dag.id,
        state: b.state,
        total: b.total,
        succeeded: counts.success,
        failed: counts.failed,
        cancelled: counts.cancelled,
        running,
        skipped,
        done,
      };
    };
    if (b.state !== 'running')
      return { progress: progressOf(counts.running, b.skipped), queued: [], scheduled: false };
    const step = await stepBackfill(trx, dag, b, b.concurrency - counts.running, engine.now());
    const p = progressOf(counts.running + step.started, step.skipped);
    const ended = step.exhausted && step.waiting.length === 0 && p.running === 0;
    if (ended) p.state = p.failed > 0 || p.cancelled > 0 ? 'failed' : 'success';
    await updateBackfill(trx, b.id, {
      next_start: step.nextStart,
      skipped: step.skipped,
      waiting: step.waiting,
      ...(ended ? { state: p.state, ended: true } : {}),
    });
    return { progress: p, queued: step.queued, scheduled: step.scheduled };
  });
  await engine.queues.enqueue(queued);
  if (scheduled) await grantAndEnqueue(engine);
  if (progress.state !== 'running' && queued.length === 0) {
    engine.logger.debug({ backfill_id: backfillId, ...progress }, 'backfill progress');
  }
  return progress;
}

/**
 * Cancels a running backfill: no new runs are created for it, and its runs that are only queued
 * (none of their tasks has started) are cancelled. Runs already at work finish, as in Airflow,
 * unless `includeRunning` cancels them too. A backfill that has ended is a `ConflictError`.
 */
export async function cancelBackfill(
  engine: Engine,
  backfillId: number,
  request: CancelRequest & { includeRunning?: boolean } = { by: 'an operator' },
): Promise<{ backfillId: number; cancelledRuns: number[]; leftRunning: number[] }> {
  const runs = await engine.knex.transaction(async (trx) => {
    await lockBackfill(trx, backfillId);
    const b = await getBackfill(trx, backfillId);
    if (!b) throw new InvalidInputError(`unknown backfill ${backfillId}`);
    if (b.state !== 'running')
      throw new ConflictError(`backfill ${backfillId} has already ended (${b.state}): nothing to cancel`);
    await updateBackfill(trx, backfillId, { state: 'cancelled', ended: true });
    return backfillRunsToCancel(trx, backfillId);
  });
  // The backfill is no longer running, so nothing creates or adopts runs for it any more.
  const reason = request.reason?.trim() || `backfill ${backfillId} cancelled by ${request.by}`;
  const cancelledRuns: number[] = [];
  const leftRunning: number[] = [];
  for (const r of runs) {
    if (r.started && !request.includeRunning) {
      leftRunning.push(r.id);
      continue;
    }
    try {
      await cancelRun(engine, r.id, { by: request.by, reason });
      cancelledRuns.push(r.id);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // the run ended meanwhile
    }
  }
  engine.logger.info(
    {
      backfill_id: backfillId,
      by: request.by,
      cancelled_runs: cancelledRuns.length,
      left_running: leftRunning.length,
    },
    'backfill cancelled',
  );
  return { backfillId, cancelledRuns, leftRunning };
}

export async function listBackfills(
  engine: Engine,
  filter: { dagId?: string; state?: string } = {},
): Promise<BackfillRow[]> {
  return listBackfillRows(engine.knex, filter);
}
