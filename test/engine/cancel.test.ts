import { expect } from 'chai';
import { applyTransitions, claimTries, readRuns } from '../../engine/store/index.js';
import {
  advanceBackfill,
  cancelBackfill,
  cancelRun,
  cancelTask,
  clearTasks,
  createScheduler,
  defineDag,
  evaluateRun,
  finishTry,
  getRun,
  getTaskLogs,
  listRuns,
  startBackfill,
  task,
  triggerRun,
  waitForRun,
  type TaskState,
} from '../../engine/index.js';
import { ConflictError, InvalidInputError } from '../../platform/index.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';

/** When each task's signal fired, and whether a task that ignored it went on to finish. */
const seen = { abortedAt: new Map<string, number>(), lateFinish: new Map<string, number>() };
const started = new Set<string>();

/** Waits on its signal; resolves when it fires (and reports when). */
const honours = task(async (ctx) => {
  started.add(`${ctx.runId}/${ctx.taskId}`);
  await new Promise<void>((resolve) => {
    const done = () => {
      seen.abortedAt.set(`${ctx.runId}/${ctx.taskId}`, Date.now());
      resolve();
    };
    if (ctx.signal.aborted) done();
    else ctx.signal.addEventListener('abort', done, { once: true });
  });
  throw ctx.signal.reason;
});

/** Ignores its signal and returns a result 1.5 s later, after the cancel. */
const ignores = task(async (ctx) => {
  started.add(`${ctx.runId}/${ctx.taskId}`);
  await new Promise((r) => setTimeout(r, 1_500));
  seen.lateFinish.set(`${ctx.runId}/${ctx.taskId}`, Date.now());
  return { late: true };
});

const slow = defineDag({
  id: 'cancel_slow',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    extract: honours,
    load: task(async () => 'loaded', { upstream: ['extract'] }),
    report: task(async () => 'reported', { upstream: ['load'] }),
    cleanup: task(async () => 'cleaned', { upstream: ['extract'], triggerRule: 'all_done' }),
  },
});

const stubborn = defineDag({
  id: 'cancel_stubborn',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: { crunch: ignores, after: task(async () => null, { upstream: ['crunch'] }) },
});

const timed = defineDag({
  id: 'cancel_timed',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  dagRunTimeoutMs: 600,
  tasks: { wait: honours, next: task(async () => null, { upstream: ['wait'] }) },
});

const quick = defineDag({
  id: 'cancel_quick',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: { only: task(async () => 'ok') },
});

const stateOf = async (h: Harness, runId: number) => {
  const run = (await getRun(h.engine, runId))!;
  return {
    run: run.state,
    tasks: Object.fromEntries(run.task_instances.map((t) => [t.task_id, t.state])) as Record<
      string,
      TaskState
    >,
    row: run,
  };
};

describe('cancel a run, a task instance, and the run timeout', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([slow, stubborn, timed, quick]);
    h.startWorker({ heartbeatMs: 100 });
  });
  after(async () => h?.close());

  it('cancels a running task whose function honours its signal: aborted within a heartbeat, downstream not run, all_done cleanup runs, run cancelled', async () => {
    const run = await triggerRun(h.engine, 'cancel_slow');
    await waitFor('extract to start', () => started.has(`${run.id}/extract`));
    const cancelledAt = Date.now();
    const result = await cancelTask(h.engine, run.id, 'extract', { by: 'alice', reason: 'wrong input file' });
    expect(result.cancelled).to.deep.equal([
      { task_id: 'extract', previous_state: 'running', try_number: 1 },
    ]);
    const abortedAt = await waitFor('the signal', () => seen.abortedAt.get(`${run.id}/extract`));
    const latency = abortedAt - cancelledAt;
    console.log(`      cancel → abort: ${latency} ms (heartbeat 100 ms)`);
    expect(latency).to.be.below(1_000);

    const final = await waitForRun(h.engine, run.id, { pollMs: 50 });
    expect(final.state).to.equal('cancelled');
    const s = await stateOf(h, run.id);
    expect(s.tasks).to.deep.equal({
      extract: 'cancelled',
      load: 'cancelled',
      report: 'cancelled',
      cleanup: 'success',
    });
    const extract = s.row.task_instances.find((t) => t.task_id === 'extract')!;
    expect(extract.error).to.equal('wrong input file');
    const events = (await getTaskLogs(h.engine, run.id, 'extract', 1)).map((l) => l.fields.event);
    expect(events).to.include.members(['started', 'cancelled', 'aborted']);
    expect(events).to.not.include('failed');
  });

  it('keeps a try cancelled when its function ignores the signal: the late result is discarded', async () => {
    const run = await triggerRun(h.engine, 'cancel_stubborn');
    await waitFor('crunch to start', () => started.has(`${run.id}/crunch`));
    const result = await cancelRun(h.engine, run.id, { by: 'bob' });
    expect(result.runState).to.equal('cancelled');
    expect(Object.fromEntries(result.cancelled.map((t) => [t.task_id, t.previous_state]))).to.deep.equal({
      crunch: 'running',
      after: 'none',
    });
    await waitFor('the late finish', () => seen.lateFinish.get(`${run.id}/crunch`), { timeoutMs: 5_000 });
    await new Promise((r) => setTimeout(r, 300)); // the worker would record it now
    const s = await stateOf(h, run.id);
    expect(s.run).to.equal('cancelled');
    expect(s.tasks).to.deep.equal({ crunch: 'cancelled', after: 'cancelled' });
    expect(s.row.cancelled_by).to.equal('bob');
    expect(s.row.cancel_reason).to.equal('cancelled by bob');
    expect(s.row.task_instances.find((t) => t.task_id === 'crunch')!.output).to.equal(null);
  });

  it('discards a finish recorded after the cancel (the engine state wins over a late worker)', async () => {
    await h.stopWorkers();
    const run = await triggerRun(h.engine, 'cancel_quick');
    const [claimed] = await claimTries(h.engine.knex, 'late-worker', 30_000, [
      { runId: run.id, taskId: 'only', tryNumber: 1, upstream: [] },
    ]);
    expect(claimed).to.not.equal(undefined);
    h.startWorker({ heartbeatMs: 100 });
    await cancelRun(h.engine, run.id, { by: 'carol', reason: 'stop' });
    const late = await finishTry(h.engine.knex, quick, {
      runId: run.id,
      taskId: 'only',
      tryNumber: 1,
      workerId: 'late-worker',
      outcome: { kind: 'success', output: 'late' },
    });
    expect(late.recorded).to.equal(false);
    expect((await stateOf(h, run.id)).tasks).to.deep.equal({ only: 'cancelled' });
    // A decision made from a read taken after the cancel (a try recorded just before it, whose
    // finisher reads again) cannot turn the run failed either.
    const version = (await readRuns(h.engine.knex, [run.id])).get(run.id)!.version;
    await applyTransitions(h.engine.knex, [
      { runId: run.id, queue: [], settle: [], runState: 'failed', version },
    ]);
    expect((await stateOf(h, run.id)).run).to.equal('cancelled');
  });

  it('cancels a queued run before any task starts, and the sweeps never bring it back', async () => {
    await h.stopWorkers();
    const run = await triggerRun(h.engine, 'cancel_slow');
    const result = await cancelRun(h.engine, run.id, { by: 'dave', reason: 'duplicate' });
    expect(Object.fromEntries(result.cancelled.map((t) => [t.task_id, t.previous_state]))).to.deep.equal({
      extract: 'queued',
      load: 'none',
      report: 'none',
      cleanup: 'none',
    });
    const scheduler = createScheduler(h.engine, { strandedAfterMs: 0, zombieAfterMs: 0 });
    await scheduler.tick();
    await scheduler.close();
    h.startWorker({ heartbeatMs: 100 });
    await new Promise((r) => setTimeout(r, 300));
    const s = await stateOf(h, run.id);
    expect(s.run).to.equal('cancelled');
    expect(Object.values(s.tasks)).to.deep.equal(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(started.has(`${run.id}/extract`)).to.equal(false);
  });

  it('refuses to cancel what has ended, with one clear message and nothing changed', async () => {
    const run = await triggerRun(h.engine, 'cancel_quick');
    expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('success');
    const err = await cancelRun(h.engine, run.id, { by: 'erin' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConflictError);
    expect((err as Error).message).to.equal(`run ${run.id} has already ended (success): nothing to cancel`);
    const taskErr = await cancelTask(h.engine, run.id, 'only', { by: 'erin' }).catch((e: unknown) => e);
    expect(taskErr).to.be.instanceOf(ConflictError);
    expect((taskErr as Error).message)
      .to.contain("task 'only'")
      .and.contain('(success)');
    expect((await stateOf(h, run.id)).run).to.equal('success');
    expect(await cancelRun(h.engine, 999_999, { by: 'erin' }).catch((e: unknown) => e)).to.be.instanceOf(
      InvalidInputError,
    );
    expect(
      await cancelTask(h.engine, run.id, 'nope', { by: 'erin' }).catch((e: unknown) => (e as Error).message),
    ).to.equal("DAG 'cancel_quick' has no task 'nope'");
  });

  it('reruns a cancelled run when its tasks are cleared', async () => {
    const run = await triggerRun(h.engine, 'cancel_quick');
    await waitForRun(h.engine, run.id, { pollMs: 50 });
    await h.db.knex('orchestrator.dag_runs').where({ id: run.id }).update({ state: 'cancelled' });
    await clearTasks(h.engine, run.id);
    expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('success');
    expect((await getRun(h.engine, run.id))!.reopened_at).to.be.instanceOf(Date);
  });

  it('cancels a run that exceeds dagRunTimeoutMs at the next scheduler pass, and e-mails it', async () => {
    const run = await triggerRun(h.engine, 'cancel_timed');
    await waitFor('wait to start', () => started.has(`${run.id}/wait`));
    const scheduler = createScheduler(h.engine);
    expect((await scheduler.tick()).timedOut).to.equal(0);
    await new Promise((r) => setTimeout(r, 700));
    expect((await scheduler.tick()).timedOut).to.equal(1);
    await scheduler.close();
    const s = await stateOf(h, run.id);
    expect(s.run).to.equal('cancelled');
    expect(s.row.cancelled_by).to.equal('scheduler');
    expect(s.row.cancel_reason).to.equal('run timed out after 600 ms');
    expect(s.tasks).to.deep.equal({ wait: 'cancelled', next: 'cancelled' });
    await waitFor('the abort', () => seen.abortedAt.get(`${run.id}/wait`));
    const mail = h.mail.sent.find((m) => m.subject.includes('run timed out: cancel_timed'));
    expect(mail?.text).to.contain(`Run ${run.id} of DAG cancel_timed`).and.contain('600 ms');
  });
});

describe('trigger rules downstream of a cancelled task', () => {
  const dag = defineDag({
    id: 'rules',
    schedule: null,
    startDate: '2026-01-01T00:00:00Z',
    tasks: {
      a: task(async () => null),
      b: task(async () => null),
      ok: task(async () => null, { upstream: ['a', 'b'] }),
      none_failed: task(async () => null, { upstream: ['a', 'b'], triggerRule: 'none_failed' }),
      on_failure: task(async () => null, { upstream: ['a', 'b'], triggerRule: 'one_failed' }),
      done: task(async () => null, { upstream: ['a', 'b'], triggerRule: 'all_done' }),
    },
  });
  const states = (a: TaskState, b: TaskState) =>
    new Map<string, { state: TaskState }>([
      ['a', { state: a }],
      ['b', { state: b }],
    ]);

  it('cancels all_success and none_failed tasks, skips one_failed, runs all_done', () => {
    const e = evaluateRun(dag, states('cancelled', 'success'));
    expect(e.settle).to.deep.equal([
      { taskId: 'ok', state: 'cancelled' },
      { taskId: 'none_failed', state: 'cancelled' },
      { taskId: 'on_failure', state: 'skipped' },
    ]);
    expect(e.queue).to.deep.equal(['done']);
  });

  it('waits for the other upstream, and a failure there wins over the cancel', () => {
    expect(evaluateRun(dag, states('cancelled', 'running')).settle).to.deep.equal([]);
    const e = evaluateRun(dag, states('cancelled', 'failed'));
    expect(e.settle.find((s) => s.taskId === 'ok')).to.deep.equal({ taskId: 'ok', state: 'upstream_failed' });
    expect(e.queue).to.include('on_failure');
  });

  it('ends a run cancelled when a leaf was cancelled and none failed, failed when one failed', () => {
    const all = (s: TaskState, extra: Record<string, TaskState> = {}) =>
      new Map(dag.tasks.map((t) => [t.id, { state: extra[t.id] ?? s }]));
    expect(evaluateRun(dag, all('success', { ok: 'cancelled' })).runState).to.equal('cancelled');
    expect(evaluateRun(dag, all('success', { ok: 'cancelled', done: 'failed' })).runState).to.equal('failed');
    expect(evaluateRun(dag, all('success', { on_failure: 'skipped' })).runState).to.equal('success');
  });
});

describe('cancel a backfill', () => {
  const daily = defineDag({
    id: 'cancel_backfill',
    schedule: '0 0 * * *',
    startDate: '2025-01-01T00:00:00Z',
    tasks: { work: task(async () => null), after: task(async () => null, { upstream: ['work'] }) },
  });
  let h: Harness;
  before(async () => {
    h = await startHarness([daily]); // no worker: runs stay as the backfill made them
  });
  after(async () => h?.close());

  it('stops creating runs, cancels its queued runs and lets a started one finish', async () => {
    const b = await startBackfill(h.engine, 'cancel_backfill', {
      from: new Date('2025-03-01T00:00:00Z'),
      to: new Date('2025-03-04T00:00:00Z'),
      concurrency: 2,
    });
    const first = await advanceBackfill(h.engine, daily, b.id);
    expect(first).to.include({ running: 2, total: 4 });
    const runs = await listRuns(h.engine, { dagId: 'cancel_backfill' });
    const [started, queued] = [...runs].sort((x, y) => x.logical_date.getTime() - y.logical_date.getTime());
    const [claimed] = await claimTries(h.engine.knex, 'busy-worker', 30_000, [
      { runId: started!.id, taskId: 'work', tryNumber: 1, upstream: [] },
    ]);
    expect(claimed).to.not.equal(undefined);

    const result = await cancelBackfill(h.engine, b.id, { by: 'frank' });
    expect(result).to.deep.equal({
      backfillId: b.id,
      cancelledRuns: [queued!.id],
      leftRunning: [started!.id],
    });
    const after = await advanceBackfill(h.engine, daily, b.id);
    expect(after).to.include({ state: 'cancelled', running: 1, cancelled: 1 });
    expect(await listRuns(h.engine, { dagId: 'cancel_backfill' })).to.have.length(2);
    const q = (await getRun(h.engine, queued!.id))!;
    expect(q).to.include({
      state: 'cancelled',
      cancelled_by: 'frank',
      cancel_reason: `backfill ${b.id} cancelled by frank`,
    });
    expect((await getRun(h.engine, started!.id))!.state).to.equal('running');

    const again = await cancelBackfill(h.engine, b.id, { by: 'frank' }).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(ConflictError);
    expect((again as Error).message).to.equal(
      `backfill ${b.id} has already ended (cancelled): nothing to cancel`,
    );
  });

  it('cancels its started runs too with includeRunning', async () => {
    const b = await startBackfill(h.engine, 'cancel_backfill', {
      from: new Date('2025-05-01T00:00:00Z'),
      to: new Date('2025-05-02T00:00:00Z'),
      concurrency: 2,
    });
    await advanceBackfill(h.engine, daily, b.id);
    const runs = (await listRuns(h.engine, { dagId: 'cancel_backfill', state: 'running' })).filter(
      (r) => r.backfill_id === b.id,
    );
    await claimTries(h.engine.knex, 'busy-worker', 30_000, [
      { runId: runs[0]!.id, taskId: 'work', tryNumber: 1, upstream: [] },
    ]);
    const result = await cancelBackfill(h.engine, b.id, {
      by: 'gina',
      reason: 'wrong range',
      includeRunning: true,
    });
    expect(result.cancelledRuns).to.have.members(runs.map((r) => r.id));
    expect(result.leftRunning).to.deep.equal([]);
    for (const r of runs) expect((await getRun(h.engine, r.id))!.cancel_reason).to.equal('wrong range');
  });
});
