import type { Knex } from '../platform/index.js';
import { adoptRun, lockRun, resetTasks, runsAt, type BackfillRow, type QueuedTry } from './store/index.js';
import type { Dag } from './dag.js';
import { firstFireAtOrAfter, intervalsBetween, intervalStartingAt, type DataInterval } from './schedule.js';
import { advanceRun, createRunInTx } from './transitions.js';

export interface BackfillStep {
  queued: QueuedTry[];
  /** Runs started in this step (created, or adopted and cleared). */
  started: number;
  /** Whether tasks of the runs started wait for pool slots. */
  scheduled: boolean;
  /** Where the backfill stands afterwards (see `BackfillRow`). */
  nextStart: Date;
  skipped: number;
  waiting: Date[];
  /** Every interval of the range has been looked at (the waiting ones aside). */
  exhausted: boolean;
}

/** Intervals looked at beyond the free slots in one window (already succeeded ones are passed by). */
const LOOKAHEAD = 4;

type Existing = Awaited<ReturnType<typeof runsAt>>[number];

/**
 * One step of a backfill, in the caller's transaction under the backfill's lock: it starts runs
 * for up to `slots` intervals, from where the previous step stopped (`next_start`), so a step
 * costs what it starts, not the length of the range. An interval that already succeeded is passed
 * by (unless `reset`); one another run is working on is remembered in `waiting` and looked at
 * again on every step until that run ends; one that failed before this backfill is cleared and
 * rerun; one without a run gets a new one at the backfill's priority. Intervals that have not
 * ended by `now` are not part of the backfill.
 */
export async function stepBackfill(
  trx: Knex.Transaction,
  dag: Dag,
  b: BackfillRow,
  slots: number,
  now: Date,
): Promise<BackfillStep> {
  const spec = { schedule: dag.schedule!, timezone: dag.timezone };
  const step: BackfillStep = {
    queued: [],
    started: 0,
    scheduled: false,
    nextStart: b.next_start ?? firstFireAtOrAfter(spec, b.from_date),
    skipped: b.skipped,
    waiting: [],
    exhausted: false,
  };
  const decide = (r: Existing | undefined) => {
    if (r?.backfill_id === b.id) return 'ours';
    if (r?.state === 'success' && !b.reset) return 'skip';
    return r?.state === 'running' ? 'wait' : 'start';
  };
  const start = async (interval: DataInterval, r: Existing | undefined) => {
    slots -= 1;
    step.started += 1;
    if (!r) {
      const created = await createRunInTx(trx, dag, {
        runType: 'backfill',
        logicalDate: interval.start,
        dataIntervalStart: interval.start,
        dataIntervalEnd: interval.end,
        conf: b.conf,
        backfillId: b.id,
        priority: b.priority,
      });
      if (created) step.queued.push(...created.queued);
      step.scheduled ||= created?.scheduled ?? false;
      return;
    }
    await lockRun(trx, r.id);
    await adoptRun(trx, r.id, b);
    await resetTasks(
      trx,
      r.id,
      dag.tasks.map((t) => ({ taskId: t.id, retries: t.retries })),
    );
    const advanced = await advanceRun(trx, dag, r.id);
    step.queued.push(...advanced.queued);
    step.scheduled ||= advanced.scheduled;
  };

  const waitingRuns = byStart(await runsAt(trx, dag.id, b.waiting));
  for (const at of b.waiting) {
    const r = waitingRuns.get(at.getTime());
    const d = decide(r);
    if (d === 'skip') step.skipped += 1;
    else if (d === 'wait' || (d === 'start' && slots <= 0)) step.waiting.push(at);
    else if (d === 'start') await start(intervalStartingAt(spec, at), r);
  }

  for (;;) {
    if (step.nextStart > b.to_date) {
      step.exhausted = true;
      break;
    }
    if (slots <= 0) break;
    const window = intervalsBetween(spec, step.nextStart, b.to_date, slots + LOOKAHEAD);
    if (window.length === 0) {
      step.exhausted = true;
      break;
    }
    const runs = byStart(
      await runsAt(
        trx,
        dag.id,
        window.map((i) => i.start),
      ),
    );
    let stop = false;
    for (const interval of window) {
      if (interval.end > now) {
        step.exhausted = stop = true;
        break;
      }
      const r = runs.get(interval.start.getTime());
      const d = decide(r);
      if (d === 'start') {
        if (slots <= 0) {
          stop = true;
          break;
        }
        await start(interval, r);
      } else if (d === 'skip') step.skipped += 1;
      else if (d === 'wait') step.waiting.push(interval.start);
      step.nextStart = interval.end;
    }
    if (stop) break;
  }
  return step;
}

const byStart = (runs: Existing[]) => new Map(runs.map((r) => [r.logical_date.getTime(), r]));
