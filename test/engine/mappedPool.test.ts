import { expect } from 'chai';
import { z } from 'zod';
import {
  clearTasks,
  defineDag,
  getPool,
  getRun,
  setPoolSlots,
  task,
  triggerRun,
  waitForRun,
  type TaskInstanceDetail,
} from '../../engine/index.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';
import { taskGate } from './taskGate.js';

/** Mapped instances run until the spec lets them go (see `taskGate`). */
const gate = taskGate();

const params = z.object({
  items: z.array(z.number()).default([1, 2, 3, 4, 5]),
  /** Indexes whose first try fails at once (before the gate). */
  failOnce: z.array(z.number()).default([]),
});
const list = task(async (ctx) => ctx.params.items, { params });
const square = task(
  async (ctx) => {
    if (ctx.params.failOnce.includes(ctx.mapIndex) && ctx.tryNumber === 1) throw new Error('flaky once');
    await gate.hold(`${ctx.runId}/${ctx.mapIndex}/${ctx.tryNumber}`);
    return ctx.mapItem * ctx.mapItem;
  },
  { upstream: { list }, mapOver: 'list', params, pool: 'pair', retries: 1, retryDelayMs: 1_500 },
);
const collect = task(async (ctx) => ctx.upstream.square, { upstream: { square } });
const MAPPED = defineDag({
  id: 'mapped_in_pool',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  params,
  tasks: { list, square, collect },
});

const by = { by: 'spec' };

describe('a mapped task in a pool with fewer slots than it has instances', () => {
  let h: Harness;
  beforeEach(async () => {
    gate.reset();
    h = await startHarness([MAPPED]);
    await setPoolSlots(h.engine, 'pair', 2, by);
  });
  afterEach(async () => {
    gate.reset();
    await h?.close();
  });

  const instances = async (runId: number): Promise<TaskInstanceDetail[]> =>
    (await getRun(h.engine, runId))!.task_instances.filter((t) => t.map_parent === 'square');
  const inState = (tis: TaskInstanceDetail[], ...states: string[]) =>
    tis.filter((t) => states.includes(t.state)).map((t) => t.task_id);
  const pool = async () => (await getPool(h.engine, 'pair'))!;

  it('runs at most 2 of its 5 instances at once, runs all 5, frees every slot, and the others say the pool is full', async () => {
    const run = await triggerRun(h.engine, MAPPED.id);
    h.startWorker({ concurrency: 6 });
    await waitFor('two instances running', () => gate.running.size === 2);
    const first = await instances(run.id);
    expect(first).to.have.length(5);
    expect(inState(first, 'scheduled')).to.have.length(3);
    for (const ti of first.filter((t) => t.state === 'scheduled'))
      expect(ti.waiting).to.deep.include({
        kind: 'pool_full',
        message: 'pool full (pool pair: 2/2 slots)',
        slots: 2,
        used: 2,
      });
    expect(await pool()).to.include({ slots: 2, occupied_slots: 2, scheduled: 3 });

    for (let finished = 0; finished < 5; finished += 1) {
      await waitFor('an instance to run', () => gate.running.size > 0);
      const holding = inState(await instances(run.id), 'queued', 'running', 'up_for_retry');
      expect(holding.length, `instances holding a slot: ${holding.join(', ')}`).to.be.at.most(2);
      gate.release(1);
    }
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect(gate.peak).to.equal(2);
    const collected = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'collect');
    expect(collected?.output).to.deep.equal([1, 4, 9, 16, 25]);
    expect(await pool()).to.include({ occupied_slots: 0, running: 0, queued: 0, scheduled: 0 });
  });

  it('keeps the slot of an instance whose try failed through its retry backoff, and frees it when the retry ends', async () => {
    const run = await triggerRun(h.engine, MAPPED.id, { conf: { failOnce: [0] } });
    h.startWorker({ concurrency: 6 });
    // square[0] failed its first try and waits for its retry, square[1] runs: the pool is full.
    const retrying = await waitFor('square[0] up for retry beside a running instance', async () => {
      const tis = await instances(run.id);
      const zero = tis.find((t) => t.task_id === 'square[0]')!;
      return zero.state === 'up_for_retry' && gate.running.size === 1 ? tis : undefined;
    });
    expect(inState(retrying, 'scheduled')).to.have.length(3);
    expect(retrying.find((t) => t.state === 'scheduled')!.waiting).to.deep.include({
      kind: 'pool_full',
      message: 'pool full (pool pair: 2/2 slots)',
    });
    expect(retrying.find((t) => t.task_id === 'square[0]')!.waiting?.kind).to.equal('retry_backoff');
    // Its retry takes no second slot: it runs beside square[1], and nothing else starts.
    await waitFor('the retry of square[0] running', () => gate.running.has(`${run.id}/0/2`));
    expect(gate.running.size).to.equal(2);
    expect(await pool()).to.include({ occupied_slots: 2, running: 2, scheduled: 3 });
    gate.release(gate.running.size);
    for (let left = 3; left > 0;) {
      await waitFor('an instance to run', () => gate.running.size > 0);
      left -= gate.running.size;
      gate.release(gate.running.size);
    }
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    const zeroAfter = (await instances(run.id)).find((t) => t.task_id === 'square[0]')!;
    expect([zeroAfter.state, zeroAfter.try_number]).to.deep.equal(['success', 2]);
    expect(gate.peak).to.be.at.most(2);
    expect(await pool()).to.include({ occupied_slots: 0, running: 0, queued: 0, scheduled: 0 });
  });

  it('gives a cleared instance a slot again through a grant, waiting while the pool has none', async () => {
    const run = await triggerRun(h.engine, MAPPED.id, { conf: { items: [1, 2] } });
    h.startWorker({ concurrency: 6 });
    await waitFor('both instances running', () => gate.running.size === 2);
    gate.release(2);
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');

    await setPoolSlots(h.engine, 'pair', 0, by);
    await clearTasks(h.engine, run.id, { taskIds: ['square[1]'] });
    const cleared = (await instances(run.id)).find((t) => t.task_id === 'square[1]')!;
    expect(cleared.state).to.equal('scheduled');
    expect(cleared.waiting).to.deep.include({
      kind: 'pool_full',
      message: 'pool full (pool pair: 0/0 slots)',
    });

    const { granted } = await setPoolSlots(h.engine, 'pair', 1, by);
    expect(granted).to.equal(1);
    await waitFor('the cleared instance running', () => gate.running.size === 1);
    expect(await pool()).to.include({ occupied_slots: 1, running: 1 });
    gate.release(1);
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect(await pool()).to.include({ occupied_slots: 0, running: 0, queued: 0, scheduled: 0 });
  });
});
