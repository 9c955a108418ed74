import { expect } from 'chai';
import { applyTransitions, claimTries, readRuns } from '../../engine/store/index.js';
import {
  clearTasks,
  createScheduler,
  defineDag,
  evaluateRun,
  finishTries,
  finishTry,
  getRun,
  getTaskLogs,
  jobIdFor,
  task,
  triggerRun,
} from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';

const WIDTH = 12;
const fanIn = defineDag({
  id: 'fan_in',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    root: task(async () => null),
    ...Object.fromEntries(
      Array.from({ length: WIDTH }, (_, i) => [`w${i}`, task(async () => null, { upstream: ['root'] })]),
    ),
    join: task(async () => null, { upstream: Array.from({ length: WIDTH }, (_, i) => `w${i}`) }),
  },
});

describe('finishing tries of one run side by side', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([fanIn]);
  });
  after(async () => h?.close());

  const claimAndFinish = async (runId: number, taskId: string) => {
    const upstream = fanIn.taskById.get(taskId)!.upstream;
    const [claimed] = await claimTries(h.engine.knex, `worker-${taskId}`, 30_000, [
      { runId, taskId, tryNumber: 1, upstream },
    ]);
    expect(claimed, `claim ${taskId}`).to.not.equal(undefined);
    return finishTry(h.engine.knex, fanIn, {
      runId,
      taskId,
      tryNumber: 1,
      workerId: `worker-${taskId}`,
      outcome: { kind: 'success', output: null },
    });
  };

  /** Marks every task of a run but one successful in the table, as if their tries had ended. */
  const succeedAllBut = (runId: number, taskId: string) =>
    h.db
      .knex('orchestrator.task_instances')
      .where({ run_id: runId })
      .whereNot({ task_id: taskId })
      .update({ state: 'success', ended_at: new Date() });

  it('queues the fan-in task exactly once and ends the run when all its upstream tasks finish at once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const run = await triggerRun(h.engine, 'fan_in');
      const afterRoot = await claimAndFinish(run.id, 'root');
      expect(afterRoot.queued.map((q) => q.taskId)).to.have.length(WIDTH);
      const results = await Promise.all(
        Array.from({ length: WIDTH }, (_, i) => claimAndFinish(run.id, `w${i}`)),
      );
      const joins = results.flatMap((r) => r.queued).filter((q) => q.taskId === 'join');
      expect(joins, `round ${round}`).to.have.length(1);
      expect(joins[0]).to.include({ tryNumber: 1 });
      const mid = (await getRun(h.engine, run.id))!;
      expect(mid.state).to.equal('running');
      expect(mid.task_instances.find((t) => t.task_id === 'join')).to.include({
        state: 'queued',
        try_number: 1,
      });
      const last = await claimAndFinish(run.id, 'join');
      expect(last.runState).to.equal('success');
      expect((await getRun(h.engine, run.id))!.state).to.equal('success');
    }
  });

  it('lets the scheduler advance a run that a worker left between its finish and its second look', async () => {
    const run = await triggerRun(h.engine, 'fan_in');
    await claimAndFinish(run.id, 'root');
    // Every upstream task succeeded, but the try that would have queued `join` died before.
    await succeedAllBut(run.id, 'join');
    const scheduler = createScheduler(h.engine);
    await scheduler.tick();
    const after = (await getRun(h.engine, run.id))!;
    expect(after.state).to.equal('running');
    const join = after.task_instances.find((t) => t.task_id === 'join')!;
    expect(join).to.include({ state: 'queued', try_number: 1 });
    const jobId = jobIdFor({ runId: run.id, taskId: 'join', tryNumber: 1, tryKey: join.try_key });
    expect(await h.engine.queues.queue('default').getJob(jobId)).to.not.equal(undefined);
  });

  it('records a batch of tries of several runs at once, each run advancing on its own', async () => {
    const runs = await Promise.all([triggerRun(h.engine, 'fan_in'), triggerRun(h.engine, 'fan_in')]);
    for (const run of runs) {
      const [claimed] = await claimTries(h.engine.knex, 'batch-worker', 30_000, [
        { runId: run.id, taskId: 'root', tryNumber: 1, upstream: [] },
      ]);
      expect(claimed).to.not.equal(undefined);
    }
    const results = await finishTries(
      h.engine.knex,
      runs.map((run) => ({
        dag: fanIn,
        runId: run.id,
        taskId: 'root',
        tryNumber: 1,
        workerId: 'batch-worker',
        outcome: { kind: 'success', output: { run: run.id } },
        logs: [
          {
            runId: run.id,
            taskId: 'root',
            tryNumber: 1,
            loggedAt: new Date(),
            level: 'info',
            message: 'a NUL \0 in a log line is dropped, not fatal',
            fields: { note: 'nul\0' },
          },
        ],
      })),
    );
    for (const [i, run] of runs.entries()) {
      expect(results[i]).to.include({ recorded: true, runState: 'running' });
      expect(results[i]!.queued.map((q) => q.runId)).to.deep.equal(Array(WIDTH).fill(run.id));
      const logs = await getTaskLogs(h.engine, run.id, 'root');
      expect(logs.filter((l) => l.source === 'task').map((l) => l.message)).to.deep.equal([
        'a NUL  in a log line is dropped, not fatal',
      ]);
    }
  });

  it('does not apply a decision made from states that a clear changed meanwhile', async () => {
    const run = await triggerRun(h.engine, 'fan_in');
    await claimAndFinish(run.id, 'root');
    // Every upstream task of `join` succeeds, read by a finisher that is slow to apply …
    await succeedAllBut(run.id, 'join');
    const before = (await readRuns(h.engine.knex, [run.id])).get(run.id)!;
    const decision = evaluateRun(fanIn, before.tasks);
    expect(decision.queue).to.deep.equal(['join']);
    // … while an operator clears w0, which must run again before `join`.
    await clearTasks(h.engine, run.id, { taskIds: ['w0'] });
    const applied = await applyTransitions(h.engine.knex, [
      { runId: run.id, ...decision, previousRunState: before.state, version: before.version },
    ]);
    expect(applied).to.deep.equal({ queued: [], scheduled: [], stale: [run.id] });
    const join = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'join');
    expect(join).to.include({ state: 'none' });
  });
});
