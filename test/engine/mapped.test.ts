import { expect } from 'chai';
import { z } from 'zod';
import {
  cancelRun,
  cancelTask,
  clearTasks,
  DagDefinitionError,
  defineDag,
  getRun,
  getTaskLogs,
  markTask,
  task,
  triggerRun,
  waitForRun,
  asset,
  type TaskInstanceRow,
} from '../../engine/index.js';
import { InvalidInputError } from '../../platform/index.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';

const START = '2026-01-01T00:00:00Z';
const params = z.object({
  items: z.unknown().default([3, 1, 2]),
  /** Indexes whose first try fails. */
  failOnce: z.array(z.number()).default([]),
  /** Each instance ends only after the next one has: the last element finishes first. */
  reverse: z.boolean().default(false),
});
/** Tries seen per run and instance, `run/index`. */
const tries = new Map<string, number>();
/** When each instance ended, by `run/index` (for `reverse`). */
const ended = new Map<string, { promise: Promise<void>; resolve: () => void }>();
const endOf = (key: string) => {
  let e = ended.get(key);
  if (!e) {
    let resolve = () => undefined as void;
    const promise = new Promise<void>((r) => (resolve = r));
    ended.set(key, (e = { promise, resolve }));
  }
  return e;
};
/** The order instances finished in, per run. */
const finishOrder = new Map<number, number[]>();

const list = task(async (ctx) => ctx.params.items as number[], { params });
const square = task(
  async (ctx) => {
    const key = `${ctx.runId}/${ctx.mapIndex}`;
    tries.set(key, (tries.get(key) ?? 0) + 1);
    if (ctx.params.reverse && ctx.mapIndex + 1 < ctx.upstream.list.length)
      await endOf(`${ctx.runId}/${ctx.mapIndex + 1}`).promise;
    if (ctx.params.failOnce.includes(ctx.mapIndex) && ctx.tryNumber === 1) throw new Error('flaky once');
    ctx.log.info('squared', { item: ctx.mapItem });
    finishOrder.set(ctx.runId, [...(finishOrder.get(ctx.runId) ?? []), ctx.mapIndex]);
    endOf(key).resolve();
    return { index: ctx.mapIndex, item: ctx.mapItem, square: ctx.mapItem * ctx.mapItem };
  },
  { upstream: { list }, mapOver: 'list', params, retries: 1, retryDelayMs: 10 },
);
const collect = task(async (ctx) => ctx.upstream.square.map((s) => s?.square ?? null), {
  upstream: { square },
});
const cleanup = task(async (ctx) => ({ saw: ctx.upstream.square }), {
  upstream: { square },
  triggerRule: 'all_done',
});
const mappedDag = defineDag({
  id: 'mapped_squares',
  schedule: null,
  startDate: START,
  params,
  tasks: { list, square, collect, cleanup },
});

/** Instances that wait for their signal: what a cancel stops. */
const started = new Set<string>();
const waits = defineDag({
  id: 'mapped_waits',
  schedule: null,
  startDate: START,
  tasks: {
    shards: task(async () => ['a', 'b', 'c']),
    work: task(
      async (ctx) => {
        started.add(`${ctx.runId}/${ctx.mapIndex}`);
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        throw ctx.signal.reason;
      },
      { upstream: ['shards'], mapOver: 'shards' },
    ),
    after: task(async () => null, { upstream: ['work'] }),
  },
});

/** Many instances ending side by side on several workers. */
const ids = task(async () => Array.from({ length: 60 }, (_, i) => i));
const wide = defineDag({
  id: 'mapped_wide',
  schedule: null,
  startDate: START,
  tasks: {
    ids,
    echo: task(async (ctx) => ctx.mapItem, { upstream: { ids }, mapOver: 'ids' }),
    sum: task(async (ctx) => (ctx.upstream.echo as number[]).reduce((a, b) => a + b, 0), {
      upstream: ['echo'],
    }),
  },
});

const byId = (rows: TaskInstanceRow[]) => new Map(rows.map((t) => [t.task_id, t]));

describe('dynamic task mapping', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([mappedDag, waits]);
    h.startWorker({ concurrency: 8, heartbeatMs: 100 });
  });
  after(async () => h?.close());

  async function runToEnd(conf: Record<string, unknown> = {}) {
    const run = await triggerRun(h.engine, 'mapped_squares', { conf });
    const done = await waitForRun(h.engine, run.id, { pollMs: 50 });
    const detail = (await getRun(h.engine, run.id))!;
    return { runId: run.id, state: done.state, tasks: byId(detail.task_instances) };
  }

  it('expands into one instance per element, each with its element and index, and hands downstream their outputs in index order', async () => {
    const { runId, state, tasks } = await runToEnd({ reverse: true });
    expect(state).to.equal('success');
    expect(finishOrder.get(runId)).to.deep.equal([2, 1, 0]);
    expect(tasks.get('square')).to.include({ state: 'success', map_count: 3, map_parent: null });
    for (const [i, item] of [3, 1, 2].entries()) {
      expect(tasks.get(`square[${i}]`), `square[${i}]`).to.include({
        state: 'success',
        map_parent: 'square',
        map_index: i,
        try_number: 1,
      });
      expect(tasks.get(`square[${i}]`)!.output).to.deep.equal({ index: i, item, square: item * item });
    }
    // The last instance finished first; the list is still in index order.
    expect(tasks.get('collect')!.output).to.deep.equal([9, 1, 4]);
    const lines = await getTaskLogs(h.engine, runId, 'square[1]', 1);
    expect(lines.map((l) => l.message)).to.include('squared');
    const parentLog = await getTaskLogs(h.engine, runId, 'square', 0);
    expect(parentLog.map((l) => l.fields.event)).to.include('expanded');
  });

  it('retries each instance on its own: the one that fails once succeeds on its second try', async () => {
    const { runId, state, tasks } = await runToEnd({ failOnce: [1] });
    expect(state).to.equal('success');
    expect(tasks.get('square[1]')).to.include({ state: 'success', try_number: 2 });
    expect(tasks.get('square[0]')).to.include({ try_number: 1 });
    expect(tasks.get('square[2]')).to.include({ try_number: 1 });
    expect(tries.get(`${runId}/1`)).to.equal(2);
    const first = await getTaskLogs(h.engine, runId, 'square[1]', 1);
    expect(first.map((l) => l.fields.event)).to.include('retried');
    expect(tasks.get('collect')!.output).to.deep.equal([9, 1, 4]);
  });

  it('skips a mapped task over an empty list, and its downstream tasks follow their trigger rules', async () => {
    const { state, tasks } = await runToEnd({ items: [] });
    expect(tasks.get('square')).to.include({ state: 'skipped', map_count: 0 });
    expect([...tasks.keys()].filter((id) => id.startsWith('square['))).to.deep.equal([]);
    expect(tasks.get('collect')!.state).to.equal('skipped');
    expect(tasks.get('cleanup')).to.include({ state: 'success' });
    expect(tasks.get('cleanup')!.output).to.deep.equal({ saw: [] });
    expect(state).to.equal('success');
  });

  it('fails a mapped task whose upstream output is not a list, saying so', async () => {
    const { state, tasks } = await runToEnd({ items: { warehouse: 'WH-1' } });
    expect(tasks.get('square')!.state).to.equal('failed');
    expect(tasks.get('square')!.error).to.equal(
      "cannot map over upstream 'list': its output is an object, not a list",
    );
    expect(tasks.get('collect')!.state).to.equal('upstream_failed');
    expect(tasks.get('cleanup')!.state).to.equal('success');
    expect(state).to.equal('failed');
  });

  it('clears one instance: only it runs again, and the run ends as before', async () => {
    const first = await runToEnd();
    const before = tries.get(`${first.runId}/0`);
    const { cleared } = await clearTasks(h.engine, first.runId, { taskIds: ['square[1]'] });
    expect(cleared).to.deep.equal(['square[1]']);
    expect((await waitForRun(h.engine, first.runId, { pollMs: 50 })).state).to.equal('success');
    const tasks = byId((await getRun(h.engine, first.runId))!.task_instances);
    expect(tasks.get('square[1]')).to.include({ state: 'success', try_number: 2 });
    expect(tasks.get('square[0]')).to.include({ try_number: 1 });
    expect(tasks.get('square[2]')).to.include({ try_number: 1 });
    expect(tries.get(`${first.runId}/0`)).to.equal(before);
    expect(tries.get(`${first.runId}/1`)).to.equal(2);
    expect(tasks.get('square')!.state).to.equal('success');
    expect(tasks.get('collect')).to.include({ try_number: 1 });
  });

  it('clears a mapped task with its instances: expanded again, each instance on its next try', async () => {
    const first = await runToEnd();
    await clearTasks(h.engine, first.runId, { taskIds: ['square'], downstream: true });
    expect((await waitForRun(h.engine, first.runId, { pollMs: 50 })).state).to.equal('success');
    const tasks = byId((await getRun(h.engine, first.runId))!.task_instances);
    for (const i of [0, 1, 2])
      expect(tasks.get(`square[${i}]`)).to.include({ state: 'success', try_number: 2 });
    expect(tasks.get('collect')).to.include({ try_number: 2 });
    expect(tasks.get('collect')!.output).to.deep.equal([9, 1, 4]);
  });

  it('marks a mapped task with its instances, and one instance alone', async () => {
    const { runId } = await runToEnd();
    await markTask(h.engine, runId, 'square', 'failed');
    let tasks = byId((await getRun(h.engine, runId))!.task_instances);
    for (const id of ['square', 'square[0]', 'square[1]', 'square[2]'])
      expect(tasks.get(id)!.state, id).to.equal('failed');
    await markTask(h.engine, runId, 'square[2]', 'success');
    tasks = byId((await getRun(h.engine, runId))!.task_instances);
    expect(tasks.get('square[2]')!.state).to.equal('success');
    expect(tasks.get('square')!.state).to.equal('failed');
    await markTask(h.engine, runId, 'square[0]', 'success');
    await markTask(h.engine, runId, 'square[1]', 'success');
    tasks = byId((await getRun(h.engine, runId))!.task_instances);
    expect(tasks.get('square')!.state).to.equal('success');
  });

  it('rejects clearing an instance the run does not have', async () => {
    const { runId } = await runToEnd({ items: [1] });
    const err = await clearTasks(h.engine, runId, { taskIds: ['square[5]'] }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(InvalidInputError);
    expect((err as Error).message).to.equal(`run ${runId} has no task instance 'square[5]'`);
  });

  it('cancels the instances of a cancelled run', async () => {
    const run = await triggerRun(h.engine, 'mapped_waits');
    await waitFor('the three instances to start', () =>
      [0, 1, 2].every((i) => started.has(`${run.id}/${i}`)),
    );
    const result = await cancelRun(h.engine, run.id, { by: 'alice' });
    expect(result.cancelled.map((t) => t.task_id)).to.have.members([
      'work',
      'work[0]',
      'work[1]',
      'work[2]',
      'after',
    ]);
    const final = await waitForRun(h.engine, run.id, { pollMs: 50 });
    expect(final.state).to.equal('cancelled');
    const tasks = byId((await getRun(h.engine, run.id))!.task_instances);
    for (const id of ['work', 'work[0]', 'work[1]', 'work[2]', 'after'])
      expect(tasks.get(id)!.state, id).to.equal('cancelled');
  });

  it('cancels a mapped task with its running instances, and its downstream task with it', async () => {
    const run = await triggerRun(h.engine, 'mapped_waits');
    await waitFor('the three instances to start', () =>
      [0, 1, 2].every((i) => started.has(`${run.id}/${i}`)),
    );
    const result = await cancelTask(h.engine, run.id, 'work', { by: 'bob' });
    expect(result.cancelled.map((t) => t.task_id)).to.have.members(['work', 'work[0]', 'work[1]', 'work[2]']);
    expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('cancelled');
    const tasks = byId((await getRun(h.engine, run.id))!.task_instances);
    expect(tasks.get('after')!.state).to.equal('cancelled');
    expect(tasks.get('shards')!.state).to.equal('success');
  });
});

describe('dynamic task mapping under load', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([wide]);
    h.startWorker({ concurrency: 16 });
    h.startWorker({ concurrency: 16 });
  });
  after(async () => h?.close());

  it('ends a task of 60 instances finishing side by side on two workers once, and runs its downstream task once', async () => {
    const run = await triggerRun(h.engine, 'mapped_wide');
    expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('success');
    const tasks = byId((await getRun(h.engine, run.id))!.task_instances);
    expect(tasks.get('echo')).to.include({ state: 'success', map_count: 60 });
    expect(tasks.get('sum')).to.include({ state: 'success', try_number: 1 });
    expect(tasks.get('sum')!.output).to.equal((59 * 60) / 2);
  });
});

describe('mapped task definitions', () => {
  it('name the upstream list they map over', () => {
    expect(() =>
      defineDag({
        id: 'bad_map',
        schedule: null,
        startDate: START,
        tasks: {
          a: task(async () => [1]),
          b: task(async () => null, { upstream: ['a'], mapOver: 'c' as 'a' }),
        },
      }),
    ).to.throw(
      DagDefinitionError,
      "DAG 'bad_map', task 'b': maps over 'c', which is not one of its upstream tasks",
    );
  });

  it('write no outlets', () => {
    expect(() =>
      defineDag({
        id: 'bad_outlets',
        schedule: null,
        startDate: START,
        tasks: {
          a: task(async () => [1]),
          b: task(async () => null, { upstream: ['a'], mapOver: 'a', outlets: [asset('mapped.out')] }),
        },
      }),
    ).to.throw(DagDefinitionError, /task 'b': is mapped and cannot write outlets/);
  });
});
