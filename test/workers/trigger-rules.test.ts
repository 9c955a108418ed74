import { expect } from 'chai';
import {
  clearTasks,
  defineDag,
  getRun,
  getTaskLogs,
  markTask,
  task,
  triggerRun,
  waitForRun,
} from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';

let failA = true;
const ran: string[] = [];
const step = (id: string) => async () => {
  ran.push(id);
  return id;
};

const rules = defineDag({
  id: 'rules',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    a: task(async () => {
      ran.push('a');
      if (failA) throw new Error('a fails');
      return 'a';
    }),
    b: task(step('b')),
    all_success: task(step('all_success'), { upstream: ['a', 'b'] }),
    all_done: task(step('all_done'), { upstream: ['a', 'b'], triggerRule: 'all_done' }),
    one_failed: task(step('one_failed'), { upstream: ['a', 'b'], triggerRule: 'one_failed' }),
    none_failed: task(step('none_failed'), { upstream: ['a', 'b'], triggerRule: 'none_failed' }),
    none_failed_b: task(step('none_failed_b'), { upstream: ['b'], triggerRule: 'none_failed' }),
    one_failed_b: task(step('one_failed_b'), { upstream: ['b'], triggerRule: 'one_failed' }),
    after_skip: task(step('after_skip'), { upstream: ['one_failed_b'] }),
  },
});

async function states(h: Harness, runId: number): Promise<Record<string, string>> {
  const run = await getRun(h.engine, runId);
  return Object.fromEntries(run!.task_instances.map((t) => [t.task_id, t.state]));
}

describe('trigger rules, clear and mark', () => {
  let h: Harness;
  let runId: number;
  before(async () => {
    h = await startHarness([rules]);
    h.startWorker();
  });
  after(async () => h?.close());

  it('starts or settles each downstream task by its trigger rule when an upstream fails', async () => {
    runId = (await triggerRun(h.engine, 'rules')).id;
    const run = await waitForRun(h.engine, runId, { pollMs: 20 });
    expect(await states(h, runId)).to.deep.equal({
      a: 'failed',
      b: 'success',
      all_success: 'upstream_failed',
      all_done: 'success',
      one_failed: 'success',
      none_failed: 'upstream_failed',
      none_failed_b: 'success',
      one_failed_b: 'skipped',
      after_skip: 'skipped',
    });
    expect(run.state).to.equal('failed'); // a leaf (all_success) did not succeed
    expect(ran).to.not.include.members(['all_success', 'none_failed', 'one_failed_b', 'after_skip']);
  });

  it('reruns a cleared task with its downstream tasks, which then follow the new outcome', async () => {
    failA = false;
    ran.length = 0;
    const { cleared } = await clearTasks(h.engine, runId, { taskIds: ['a'], downstream: true });
    expect(cleared).to.deep.equal(['a', 'all_success', 'all_done', 'one_failed', 'none_failed']);
    const run = await waitForRun(h.engine, runId, { pollMs: 20 });
    expect(run.state).to.equal('success');
    const s = await states(h, runId);
    expect(s).to.include({
      a: 'success',
      all_success: 'success',
      all_done: 'success',
      one_failed: 'skipped',
      none_failed: 'success',
    });
    expect(ran.sort()).to.deep.equal(['a', 'all_done', 'all_success', 'none_failed']);
    const a = (await getRun(h.engine, runId))!.task_instances.find((t) => t.task_id === 'a')!;
    expect(a.try_number).to.equal(2); // try numbers keep counting across a clear
    const events = (await getTaskLogs(h.engine, runId, 'a'))
      .filter((l) => l.source === 'engine')
      .map((l) => [l.try_number, l.message]);
    expect(events).to.deep.include.members([
      [1, 'cleared (was failed)'],
      [2, 'queued in pool default'],
    ]);
  });

  it('marks a task failed by hand, failing the run, and success again to recover it', async () => {
    await markTask(h.engine, runId, 'after_skip', 'failed');
    expect((await getRun(h.engine, runId))!.state).to.equal('failed');
    await markTask(h.engine, runId, 'after_skip', 'success');
    expect((await getRun(h.engine, runId))!.state).to.equal('success');
    const marks = (await getTaskLogs(h.engine, runId, 'after_skip')).filter(
      (l) => l.fields.event === 'marked',
    );
    expect(marks.map((l) => [l.source, l.message])).to.deep.equal([
      ['engine', 'marked failed by hand'],
      ['engine', 'marked success by hand'],
    ]);
  });
});
