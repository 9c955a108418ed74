import { expect } from 'chai';
import {
  advanceBackfill,
  createScheduler,
  defineDag,
  explainWait,
  getRun,
  jobIdFor,
  listPools,
  markTask,
  setPaused,
  setPoolSlots,
  startBackfill,
  task,
  triggerRun,
  waitForRun,
  type Dag,
  type TaskInstanceRow,
  type TaskState,
} from '../../engine/index.js';
import { InvalidInputError } from '../../platform/index.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';
import { taskGate } from './taskGate.js';

/** Tasks run until the spec lets them go (see `taskGate`). */
const gate = taskGate();
const gated = (options: Parameters<typeof task>[1] = {}) =>
  task(async (ctx) => {
    await gate.hold(`${ctx.runId}/${ctx.taskId}`);
    return null;
  }, options);

const wide = (id: string, width: number, extra: Partial<Parameters<typeof defineDag>[0]> = {}) =>
  defineDag({
    id,
    schedule: null,
    startDate: '2026-01-01T00:00:00Z',
    tasks: Object.fromEntries(Array.from({ length: width }, (_, i) => [`t${i}`, gated({ pool: 'narrow' })])),
    ...extra,
  });

const SIX = wide('six_wide', 6);
const FIVE_CAPPED = defineDag({
  id: 'capped',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  maxActiveTasks: 2,
  tasks: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`t${i}`, gated()])),
});
const WEIGHTS = defineDag({
  id: 'weights',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  defaultTaskOptions: { pool: 'narrow', weightRule: 'absolute' },
  tasks: {
    low: task(async () => null, { priorityWeight: 1 }),
    high: task(async () => null, { priorityWeight: 10 }),
    mid: task(async () => null, { priorityWeight: 5 }),
  },
});
const NIGHTLY = defineDag({
  id: 'nightly_narrow',
  schedule: '0 2 * * *',
  startDate: '2025-01-01T00:00:00Z',
  tasks: { load: task(async () => null, { pool: 'narrow', priorityWeight: 100 }) },
});
const PRODUCTION = defineDag({
  id: 'production_narrow',
  schedule: null,
  startDate: '2025-01-01T00:00:00Z',
  tasks: { report: task(async () => null, { pool: 'narrow' }) },
});
const CHAIN = defineDag({
  id: 'chain',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    extract: task(async () => null),
    load: task(async () => null, { upstream: ['extract'] }),
  },
});
const DAGS: Dag[] = [SIX, FIVE_CAPPED, WEIGHTS, NIGHTLY, PRODUCTION, CHAIN];

const by = { by: 'spec' };

async function states(h: Harness, runId: number): Promise<Record<string, TaskState>> {
  const run = await getRun(h.engine, runId);
  return Object.fromEntries(run!.task_instances.map((t: TaskInstanceRow) => [t.task_id, t.state]));
}

function count(s: Record<string, TaskState>, state: TaskState): number {
  return Object.values(s).filter((x) => x === state).length;
}

describe('pools: slots, priorities and DAG caps', () => {
  let h: Harness;
  beforeEach(async () => {
    gate.reset();
    h = await startHarness(DAGS);
  });
  afterEach(async () => {
    gate.reset();
    await h?.close();
  });

  it('never runs more task instances of a pool at once than its slots, and runs them all', async () => {
    await setPoolSlots(h.engine, 'narrow', 2, by);
    const run = await triggerRun(h.engine, SIX.id);
    expect(await states(h, run.id)).to.satisfy(
      (s: Record<string, TaskState>) => count(s, 'queued') === 2 && count(s, 'scheduled') === 4,
    );
    h.startWorker({ concurrency: 6 });
    for (let finished = 0; finished < 6; finished += 1) {
      await waitFor('a gated task to run', () => gate.running.size > 0);
      gate.release(1);
    }
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect(gate.peak).to.be.at.most(2);
  });

  it('grants slots highest weight first', async () => {
    await setPoolSlots(h.engine, 'narrow', 0, by);
    const run = await triggerRun(h.engine, WEIGHTS.id);
    expect(await states(h, run.id)).to.deep.equal({ low: 'scheduled', mid: 'scheduled', high: 'scheduled' });
    const order: string[] = [];
    const { granted } = await setPoolSlots(h.engine, 'narrow', 1, by);
    expect(granted).to.equal(1);
    for (let i = 0; i < 3; i += 1) {
      const s = await states(h, run.id);
      const queued = Object.keys(s).filter((t) => s[t] === 'queued');
      expect(queued, JSON.stringify(s)).to.have.length(1);
      order.push(queued[0]!);
      await markTask(h.engine, run.id, queued[0]!, 'success');
    }
    expect(order).to.deep.equal(['high', 'mid', 'low']);
  });

  it('holds back the task instances of a DAG at its cap, whatever its pools allow', async () => {
    const run = await triggerRun(h.engine, FIVE_CAPPED.id);
    const s = await states(h, run.id);
    expect([count(s, 'queued'), count(s, 'scheduled')]).to.deep.equal([2, 3]);
    const waiting = Object.keys(s).find((t) => s[t] === 'scheduled')!;
    expect(await explainWait(h.engine, run.id, waiting)).to.deep.include({
      kind: 'dag_cap',
      message: 'DAG cap (2/2 active)',
      dag_cap: 2,
      dag_active: 2,
    });
    h.startWorker({ concurrency: 5 });
    for (let finished = 0; finished < 5; finished += 1) {
      await waitFor('a gated task to run', () => gate.running.size > 0);
      gate.release(1);
    }
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect(gate.peak).to.be.at.most(2);
  });

  it('grants a production task a slot before the backfill tasks waiting longer, and enqueues backfill jobs behind production ones', async () => {
    await setPoolSlots(h.engine, 'narrow', 0, by);
    const b = await startBackfill(h.engine, NIGHTLY.id, {
      from: new Date('2025-03-01T00:00:00Z'),
      to: new Date('2025-03-03T23:59:59Z'),
      concurrency: 3,
    });
    expect(b.priority).to.equal(-1);
    expect((await advanceBackfill(h.engine, NIGHTLY, b.id)).running).to.equal(3);
    const backfillRuns = await h.db.knex('orchestrator.dag_runs').where('backfill_id', b.id).select('id');
    const prod = await triggerRun(h.engine, PRODUCTION.id);
    expect(await states(h, prod.id)).to.deep.equal({ report: 'scheduled' });

    await setPoolSlots(h.engine, 'narrow', 1, by);
    expect(await states(h, prod.id)).to.deep.equal({ report: 'queued' });
    for (const r of backfillRuns) expect(await states(h, r.id)).to.deep.equal({ load: 'scheduled' });

    await setPoolSlots(h.engine, 'narrow', 4, by);
    const jobs = h.engine.queues.queue('narrow');
    const prodTi = (await getRun(h.engine, prod.id))!.task_instances[0]!;
    const prodJob = await jobs.getJob(
      jobIdFor({ runId: prod.id, taskId: 'report', tryNumber: 1, tryKey: prodTi.try_key }),
    );
    expect(prodJob?.opts.priority ?? 0).to.equal(0);
    for (const r of backfillRuns) {
      const ti = (await getRun(h.engine, r.id))!.task_instances[0]!;
      expect(ti.state).to.equal('queued');
      const job = await jobs.getJob(
        jobIdFor({ runId: r.id, taskId: 'load', tryNumber: 1, tryKey: ti.try_key }),
      );
      expect(job?.opts.priority).to.equal(1);
    }
  });

  it('takes no slot back when a pool shrinks below what its tasks hold, and grants again once they drop below it', async () => {
    await setPoolSlots(h.engine, 'narrow', 3, by);
    const run = await triggerRun(h.engine, SIX.id);
    h.startWorker({ concurrency: 6 });
    await waitFor('three tasks running', () => gate.running.size === 3);

    const { granted } = await setPoolSlots(h.engine, 'narrow', 1, by);
    expect(granted).to.equal(0);
    let s = await states(h, run.id);
    expect([count(s, 'running'), count(s, 'scheduled')]).to.deep.equal([3, 3]);
    const waiting = Object.keys(s).find((t) => s[t] === 'scheduled')!;
    expect((await explainWait(h.engine, run.id, waiting))?.message).to.equal(
      'pool full (pool narrow: 3/1 slots)',
    );

    // Two finish: one slot held, none free under the new count.
    for (const left of [2, 1]) {
      gate.release(1);
      await waitFor('a task to succeed', async () => count(await states(h, run.id), 'running') === left);
      s = await states(h, run.id);
      expect([count(s, 'queued'), count(s, 'scheduled')]).to.deep.equal([0, 3]);
    }
    // The last of the three finishes: one slot is free, and exactly one task gets it.
    gate.release(1);
    await waitFor('one task granted', () => gate.running.size === 1);
    s = await states(h, run.id);
    expect(count(s, 'success')).to.equal(3);
    expect(count(s, 'scheduled')).to.equal(2);
    const peakBefore = gate.peak;
    gate.peak = 0;
    for (let finished = 0; finished < 3; finished += 1) {
      await waitFor('a gated task to run', () => gate.running.size > 0);
      gate.release(1);
    }
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect([peakBefore, gate.peak]).to.deep.equal([3, 1]);
  });

  it('grants at once the slots a pool grows by', async () => {
    await setPoolSlots(h.engine, 'narrow', 0, by);
    const run = await triggerRun(h.engine, SIX.id);
    expect(count(await states(h, run.id), 'scheduled')).to.equal(6);
    const change = await setPoolSlots(h.engine, 'narrow', 2, by);
    expect(change).to.deep.include({ previous: 0, granted: 2 });
    expect(change.pool).to.include({ name: 'narrow', slots: 2, occupied_slots: 2, queued: 2, scheduled: 4 });
    const s = await states(h, run.id);
    expect([count(s, 'queued'), count(s, 'scheduled')]).to.deep.equal([2, 4]);
  });

  it('grants, in a scheduler pass, a slot that a process freed and died before granting', async () => {
    await setPoolSlots(h.engine, 'narrow', 1, by);
    const run = await triggerRun(h.engine, WEIGHTS.id);
    expect(await states(h, run.id)).to.deep.equal({ high: 'queued', mid: 'scheduled', low: 'scheduled' });
    // The try of `high` ends, recorded by a worker that is killed before it grants the slot.
    await h.db
      .knex('orchestrator.task_instances')
      .where({ run_id: run.id, task_id: 'high' })
      .update({ state: 'success', ended_at: new Date() });
    await setPaused(h.engine, NIGHTLY.id, true); // its cron runs would take the slot first
    const scheduler = createScheduler(h.engine, { tickMs: 60_000 });
    const pass = await scheduler.tick();
    await scheduler.close();
    expect(pass.granted).to.equal(1);
    expect(await states(h, run.id)).to.deep.equal({ high: 'success', mid: 'queued', low: 'scheduled' });
  });

  it('says why a task waits: its upstream tasks, its worker pool, its pool', async () => {
    const run = await triggerRun(h.engine, CHAIN.id);
    expect(await explainWait(h.engine, run.id, 'load')).to.deep.equal({
      kind: 'upstream',
      message: 'upstream: waiting for extract (queued) (trigger rule all_success)',
      trigger_rule: 'all_success',
      pending: [{ task_id: 'extract', state: 'queued' }],
    });
    expect(await explainWait(h.engine, run.id, 'extract')).to.deep.equal({
      kind: 'worker',
      message: 'queued on worker pool default: waiting for a free worker',
      pool: 'default',
    });
    await setPoolSlots(h.engine, 'narrow', 0, by);
    const narrow = await triggerRun(h.engine, WEIGHTS.id);
    expect(await explainWait(h.engine, narrow.id, 'low')).to.deep.include({
      kind: 'pool_full',
      message: 'pool full (pool narrow: 0/0 slots)',
      slots: 0,
      used: 0,
    });
    await markTask(h.engine, run.id, 'extract', 'success');
    await markTask(h.engine, run.id, 'load', 'success');
    expect(await explainWait(h.engine, run.id, 'load')).to.equal(null);
  });

  it('lists every pool with its slots and counts, and refuses an unknown pool or a bad count', async () => {
    await setPoolSlots(h.engine, 'narrow', 0, { ...by, description: 'the narrow one' });
    await triggerRun(h.engine, WEIGHTS.id);
    const pools = await listPools(h.engine);
    expect(pools.map((p) => p.name)).to.deep.equal(['default', 'narrow']);
    expect(pools[1]).to.include({
      slots: 0,
      description: 'the narrow one',
      scheduled: 3,
      updated_by: 'spec',
    });
    expect(pools[0]).to.include({ slots: null, occupied_slots: 0 });
    for (const [name, slots] of [
      ['nowhere', 2],
      ['narrow', -1],
      ['narrow', 1.5],
    ] as const) {
      const attempt = setPoolSlots(h.engine, name, slots, by);
      await attempt.then(
        () => expect.fail(`set ${name} ${slots} was accepted`),
        (err: unknown) => expect(err).to.be.instanceOf(InvalidInputError),
      );
    }
    await setPoolSlots(h.engine, 'narrow', null, by);
    expect((await listPools(h.engine)).find((p) => p.name === 'narrow')?.slots).to.equal(null);
  });
});
