import { expect } from 'chai';
import { claimTries } from '../../engine/store/index.js';
import {
  createScheduler,
  defineDag,
  finishTry,
  getRun,
  queueNameFor,
  task,
  triggerRun,
  waitForRun,
} from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';

const sweepDag = defineDag({
  id: 'sweep_me',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    a: task(async () => 'a', { retries: 1, retryDelayMs: 10 }),
    b: task(async () => 'b', { upstream: ['a'] }),
  },
});

describe('scheduler sweeps', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([sweepDag]);
  });
  after(async () => h?.close());

  it('re-enqueues a try that PostgreSQL has queued but Redis lost, and the run finishes', async () => {
    const run = await triggerRun(h.engine, 'sweep_me');
    await h.engine.queues.queue('default').obliterate({ force: true }); // Redis lost every job
    expect(await h.engine.queues.queue('default').count()).to.equal(0);
    const scheduler = createScheduler(h.engine, { strandedAfterMs: 0 });
    expect((await scheduler.tick()).reenqueued).to.equal(1);
    expect((await scheduler.tick()).reenqueued).to.equal(0); // the job is there now: not added twice
    h.startWorker();
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
  });

  it('counts a running try whose worker stopped sending heartbeats as failed and retries it', async () => {
    const run = await triggerRun(h.engine, 'sweep_me');
    await waitForRun(h.engine, run.id, { pollMs: 20 });
    // Make `b` look like a try held by a worker that died an hour ago.
    await h.db
      .knex('orchestrator.task_instances')
      .where({ run_id: run.id, task_id: 'b' })
      .update({
        state: 'running',
        worker_id: 'ghost-1',
        heartbeat_at: new Date(Date.now() - 3600_000),
        max_tries: 2,
      });
    await h.db
      .knex('orchestrator.dag_runs')
      .where({ id: run.id })
      .update({ state: 'running', ended_at: null });
    const scheduler = createScheduler(h.engine, { zombieAfterMs: 60_000 });
    expect((await scheduler.tick()).zombies).to.equal(1);
    const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
    expect(done.state).to.equal('success');
    const b = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'b')!;
    expect(b).to.include({ state: 'success', try_number: 2 });
    expect(queueNameFor('default')).to.equal('tasks-default');
  });
});

describe('zombie sweeps and late results (no worker running)', () => {
  const slowDag = defineDag({
    id: 'slow_worker',
    schedule: null,
    startDate: '2026-01-01T00:00:00Z',
    tasks: { a: task(async () => 'a', { retries: 1, retryDelayMs: 10 }) },
  });
  let h: Harness;
  before(async () => {
    h = await startHarness([slowDag]);
  });
  after(async () => h?.close());

  /** Claims try 1 of `a` for a worker whose heartbeat then looks an hour old. */
  async function staleTry(): Promise<number> {
    const run = await triggerRun(h.engine, 'slow_worker');
    const [claimed] = await claimTries(h.engine.knex, 'slow-1', 30_000, [
      { runId: run.id, taskId: 'a', tryNumber: 1, upstream: [] },
    ]);
    expect(claimed).to.not.equal(undefined);
    await h.db
      .knex('orchestrator.task_instances')
      .where({ run_id: run.id, task_id: 'a' })
      .update({ heartbeat_at: new Date(Date.now() - 3600_000) });
    return run.id;
  }
  const succeed = (runId: number) =>
    finishTry(h.engine.knex, slowDag, {
      runId,
      taskId: 'a',
      tryNumber: 1,
      workerId: 'slow-1',
      outcome: { kind: 'success', output: 'late' },
    });

  it('never fails a try that recorded its success, however stale its heartbeat was', async () => {
    const runId = await staleTry();
    expect((await succeed(runId)).recorded).to.equal(true);
    const scheduler = createScheduler(h.engine, { zombieAfterMs: 60_000 });
    expect((await scheduler.tick()).zombies).to.equal(0);
    const run = (await getRun(h.engine, runId))!;
    expect(run.state).to.equal('success');
    expect(run.task_instances[0]).to.include({ state: 'success', try_number: 1 });
  });

  it('discards the late success of a try the sweep already retried, so only one try succeeds', async () => {
    const runId = await staleTry();
    const scheduler = createScheduler(h.engine, { zombieAfterMs: 60_000 });
    expect((await scheduler.tick()).zombies).to.equal(1);
    expect(await succeed(runId)).to.include({ recorded: false });
    const a = (await getRun(h.engine, runId))!.task_instances[0]!;
    expect(a).to.include({ state: 'up_for_retry', try_number: 2 });
    expect(a.output).to.equal(null);
  });
});
