import { expect } from 'chai';
import { claimTries, type TryOutcome } from '../../engine/store/index.js';
import {
  clearTasks,
  createScheduler,
  defineDag,
  evaluateRun,
  finishTry,
  getRun,
  getTaskLogs,
  markTask,
  task,
  triggerRun,
  waitForRun,
  type Scheduler,
} from '../../engine/index.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';

/** The days whose load fails (by the run's data interval start, YYYY-MM-DD). */
const failing = new Set<string>();
const day = (d: Date) => d.toISOString().slice(0, 10);

const incremental = defineDag({
  id: 'incremental',
  schedule: '0 0 * * *',
  startDate: '2026-03-01T00:00:00Z',
  catchup: true,
  tasks: {
    extract: task((ctx) => day(ctx.dataIntervalStart)),
    load: task(
      (ctx) => {
        if (failing.has(day(ctx.dataIntervalStart)))
          throw new Error(`no rows for ${day(ctx.dataIntervalStart)}`);
        return `loaded ${day(ctx.dataIntervalStart)}`;
      },
      { upstream: ['extract'], dependsOnPast: true },
    ),
  },
});

describe('dependsOnPast: the rule (evaluateRun)', () => {
  const extractDone = new Map([['extract', { state: 'success' as const }]]);

  it('queues the task when the previous run has none, or its task succeeded or was skipped', () => {
    expect(evaluateRun(incremental, extractDone, new Map([['load', null]])).queue).to.deep.equal(['load']);
    for (const state of ['success', 'skipped'] as const)
      expect(
        evaluateRun(incremental, extractDone, new Map([['load', { runId: 7, state }]])).queue,
      ).to.deep.equal(['load']);
  });

  it("keeps it waiting, and says on which run, while the previous run's task has not succeeded", () => {
    for (const state of ['failed', 'running', 'none', 'upstream_failed'] as const) {
      const e = evaluateRun(incremental, extractDone, new Map([['load', { runId: 7, state }]]));
      expect(e.queue).to.deep.equal([]);
      expect(e.waitingOnPast).to.deep.equal([{ taskId: 'load', runId: 7, state }]);
      expect(e.runState).to.equal('running');
    }
  });

  it('settles it by its trigger rule whatever the past says (an upstream failure is not a wait)', () => {
    const e = evaluateRun(
      incremental,
      new Map([['extract', { state: 'failed' as const }]]),
      new Map([['load', null]]),
    );
    expect(e.settle).to.deep.equal([{ taskId: 'load', state: 'upstream_failed' }]);
  });

  it('waits when the caller did not read the past, rather than run out of order', () => {
    expect(evaluateRun(incremental, extractDone).queue).to.deep.equal([]);
  });
});

describe('dependsOnPast: runs through the scheduler and a worker', () => {
  let now = new Date('2026-03-03T12:00:00Z');
  let h: Harness;
  let scheduler: Scheduler;
  before(async () => {
    h = await startHarness([incremental], { now: () => now });
    scheduler = createScheduler(h.engine);
    h.startWorker();
  });
  after(async () => {
    await scheduler?.close();
    await h?.close();
  });

  const instance = async (runId: number, taskId: string) =>
    (await getRun(h.engine, runId))!.task_instances.find((t) => t.task_id === taskId)!;
  const runAt = async (logical: string) =>
    (
      await h.db
        .knex('orchestrator.dag_runs')
        .where({ dag_id: 'incremental', logical_date: new Date(logical) })
        .first()
    ).id as number;

  it("waits for the previous run's task, then runs once that task is cleared and succeeds", async () => {
    failing.add('2026-03-01');
    expect((await scheduler.tick()).created).to.equal(2);
    const first = await runAt('2026-03-01T00:00:00Z');
    const second = await runAt('2026-03-02T00:00:00Z');
    expect((await waitForRun(h.engine, first, { pollMs: 20 })).state).to.equal('failed');
    await waitFor(
      'the second run to have extracted',
      async () => (await instance(second, 'extract')).state === 'success',
    );
    await scheduler.tick();
    const waiting = await instance(second, 'load');
    expect(waiting.state).to.equal('none');
    expect(waiting.waiting_reason).to.equal(`depends on past: run ${first}'s task load is failed`);
    expect((await getRun(h.engine, second))!.state).to.equal('running');

    failing.delete('2026-03-01');
    await clearTasks(h.engine, first, { taskIds: ['load'] });
    expect((await waitForRun(h.engine, first, { pollMs: 20 })).state).to.equal('success');
    // The success of the cleared task queued the second load at once.
    expect((await waitForRun(h.engine, second, { pollMs: 20 })).state).to.equal('success');
    expect((await instance(second, 'load')).output).to.equal('loaded 2026-03-02');
  });

  it('leaves manual runs out of the chain: a failed manual run does not hold up the next scheduled one', async () => {
    // Between the second and third scheduled runs by logical date; it loads 2026-03-01 again and fails.
    failing.add('2026-03-01');
    const manual = await triggerRun(h.engine, 'incremental', {
      logicalDate: new Date('2026-03-02T18:00:00Z'),
    });
    expect((await waitForRun(h.engine, manual.id, { pollMs: 20 })).state).to.equal('failed');
    expect((await instance(manual.id, 'load')).state).to.equal('failed');
    failing.delete('2026-03-01');
    now = new Date('2026-03-04T12:00:00Z');
    expect((await scheduler.tick()).created).to.equal(1);
    const third = await runAt('2026-03-03T00:00:00Z');
    expect((await waitForRun(h.engine, third, { pollMs: 20 })).state).to.equal('success');
    expect((await instance(third, 'load')).output).to.equal('loaded 2026-03-03');
  });
});

const chained = defineDag({
  id: 'chained_past',
  schedule: '0 0 * * *',
  startDate: '2026-03-01T00:00:00Z',
  catchup: true,
  tasks: {
    check: task(() => null),
    load: task(() => 'loaded', { upstream: ['check'], dependsOnPast: true }),
  },
});

describe("dependsOnPast: the end of the previous run's task lets the next run's start at once", () => {
  let h: Harness;
  let first: number;
  let second: number;
  beforeEach(async () => {
    h = await startHarness([chained], { now: () => new Date('2026-03-03T12:00:00Z') });
    const scheduler = createScheduler(h.engine);
    expect((await scheduler.tick()).created).to.equal(2);
    await scheduler.close();
    const runs = await h.db
      .knex('orchestrator.dag_runs')
      .where({ dag_id: chained.id })
      .orderBy('logical_date');
    [first, second] = runs.map((r: { id: number }) => r.id) as [number, number];
  });
  afterEach(async () => h?.close());

  /** Claims a try as a worker would and records how it ended: one step of a worker. */
  const finish = async (runId: number, taskId: string, outcome: TryOutcome) => {
    const upstream = chained.taskById.get(taskId)!.upstream;
    const tryNumber = (await stateOf(runId, taskId)).try_number;
    const [claimed] = await claimTries(h.engine.knex, 'worker-spec', 30_000, [
      { runId, taskId, tryNumber, upstream },
    ]);
    expect(claimed, `claim ${taskId} of run ${runId}`).to.not.equal(undefined);
    return finishTry(h.engine.knex, chained, {
      runId,
      taskId,
      tryNumber,
      workerId: 'worker-spec',
      outcome,
    });
  };
  const stateOf = async (runId: number, taskId: string) =>
    (await getRun(h.engine, runId))!.task_instances.find((t) => t.task_id === taskId)!;

  it('queues the next run’s task in the same step that records the success, with no scheduler pass', async () => {
    await finish(first, 'check', { kind: 'success', output: null });
    await finish(second, 'check', { kind: 'success', output: null });
    expect((await stateOf(second, 'load')).state).to.equal('none');

    const done = await finish(first, 'load', { kind: 'success', output: 'loaded' });
    expect(done.queued.map((q) => [q.runId, q.taskId])).to.deep.equal([[second, 'load']]);
    const [previous, next] = [await stateOf(first, 'load'), await stateOf(second, 'load')];
    expect([previous.state, next.state]).to.deep.equal(['success', 'queued']);
    expect(next.queued_at!.getTime()).to.be.at.least(previous.ended_at!.getTime());
    // Its engine events: queued once, after the previous run's task succeeded.
    const events = (await getTaskLogs(h.engine, second, 'load'))
      .filter((l) => l.source === 'engine')
      .map((l) => l.fields.event);
    expect(events).to.deep.equal(['queued']);
  });

  it('does the same when the previous run’s task is skipped by its trigger rule', async () => {
    await finish(second, 'check', { kind: 'success', output: null });
    const skipped = await finish(first, 'check', { kind: 'skipped', reason: 'nothing to check' });
    expect((await stateOf(first, 'load')).state).to.equal('skipped');
    expect(skipped.queued.map((q) => [q.runId, q.taskId])).to.deep.equal([[second, 'load']]);
    expect((await stateOf(second, 'load')).state).to.equal('queued');
  });

  it('does the same when an operator marks the previous run’s task success', async () => {
    await finish(first, 'check', { kind: 'success', output: null });
    await finish(second, 'check', { kind: 'success', output: null });
    await finish(first, 'load', { kind: 'failed', error: 'no rows' });
    expect((await stateOf(second, 'load')).state).to.equal('none');
    await markTask(h.engine, first, 'load', 'success');
    expect((await stateOf(second, 'load')).state).to.equal('queued');
  });

  it('leaves the next run waiting while the previous run’s task fails, and its upstream while it runs', async () => {
    await finish(first, 'check', { kind: 'success', output: null });
    const failed = await finish(first, 'load', { kind: 'failed', error: 'no rows' });
    expect(failed.queued).to.deep.equal([]);
    // The second run's own upstream has not run: the first run's success does not start it early.
    await clearTasks(h.engine, first, { taskIds: ['load'] });
    const done = await finish(first, 'load', { kind: 'success', output: 'loaded' });
    expect(done.queued).to.deep.equal([]);
    expect((await stateOf(second, 'load')).state).to.equal('none');
    const checked = await finish(second, 'check', { kind: 'success', output: null });
    expect(checked.queued.map((q) => [q.runId, q.taskId])).to.deep.equal([[second, 'load']]);
  });

  it('runs a chain of runs to the end through a worker alone, with no scheduler pass after their creation', async () => {
    h.startWorker();
    for (const runId of [first, second])
      expect((await waitForRun(h.engine, runId, { pollMs: 20 })).state).to.equal('success');
    const [a, b] = [await stateOf(first, 'load'), await stateOf(second, 'load')];
    expect(b.queued_at!.getTime()).to.be.at.least(a.ended_at!.getTime());
  });
});
