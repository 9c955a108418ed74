import { expect } from 'chai';
import {
  clearTasks,
  createScheduler,
  defineDag,
  evaluateRun,
  getRun,
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
    await scheduler.tick(); // its pass over runs waiting on their past queues the second load
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
