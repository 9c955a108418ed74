import { expect } from 'chai';
import {
  branch,
  DagDefinitionError,
  defineDag,
  evaluateRun,
  getRun,
  sensor,
  task,
  triggerRun,
  waitForRun,
  type TaskState,
  type TaskView,
} from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';

const noop = () => task(() => null);

/** choose → a | b; a, b → join_nf (none_failed), join_as (all_success); a → after_a. */
function branchingDag(id: string, choice: (ctx: { params: Record<string, unknown> }) => unknown) {
  return defineDag({
    id,
    schedule: null,
    startDate: '2026-01-01T00:00:00Z',
    tasks: {
      choose: branch((ctx) => choice(ctx) as string),
      a: task(() => 'a ran', { upstream: ['choose'] }),
      b: task(() => 'b ran', { upstream: ['choose'] }),
      after_a: task(() => 'after a', { upstream: ['a'] }),
      join_nf: task(() => 'joined', { upstream: ['a', 'b'], triggerRule: 'none_failed' }),
      join_as: task(() => 'joined', { upstream: ['a', 'b'] }),
    },
  });
}

const views = (states: Record<string, TaskState | [TaskState, string[] | null]>) =>
  new Map<string, TaskView>(
    Object.entries(states).map(([id, s]) => [
      id,
      Array.isArray(s) ? { state: s[0], followed: s[1] } : { state: s },
    ]),
  );

describe('branching: the rules (evaluateRun)', () => {
  const dag = branchingDag('rules_only', () => 'a');

  it('skips the direct downstream tasks a branch did not choose and queues the ones it did', () => {
    const e = evaluateRun(dag, views({ choose: ['success', ['a']] }));
    expect(e.queue).to.deep.equal(['a']);
    expect(e.settle).to.deep.include({ taskId: 'b', state: 'skipped' });
  });

  it('lets a none_failed join run and skips an all_success join once the chosen path is done', () => {
    const e = evaluateRun(
      dag,
      views({ choose: ['success', ['a']], a: 'success', b: 'skipped', after_a: 'success' }),
    );
    expect(e.queue).to.deep.equal(['join_nf']);
    expect(e.settle).to.deep.equal([{ taskId: 'join_as', state: 'skipped' }]);
  });

  it('runs every direct downstream task of a branch that chose them all, or was marked success by hand', () => {
    expect(evaluateRun(dag, views({ choose: ['success', ['a', 'b']] })).queue).to.deep.equal(['a', 'b']);
    expect(evaluateRun(dag, views({ choose: 'success' })).queue).to.deep.equal(['a', 'b']);
  });

  it('skips every direct downstream task of a branch that chose none; a none_failed join still runs', () => {
    const e = evaluateRun(dag, views({ choose: ['success', []] }));
    expect(e.queue).to.deep.equal(['join_nf']); // both its upstream tasks were skipped: none failed
    expect(e.settle.map((s) => `${s.taskId}:${s.state}`)).to.deep.equal([
      'a:skipped',
      'b:skipped',
      'after_a:skipped',
      'join_as:skipped',
    ]);
    expect(e.runState).to.equal('running');
  });

  it('chooses nothing when the branch fails: its downstream tasks follow their trigger rules', () => {
    const e = evaluateRun(dag, views({ choose: 'failed' }));
    expect(e.settle.map((s) => s.state)).to.deep.equal(Array(5).fill('upstream_failed'));
  });
});

describe('branching: defining', () => {
  it('rejects a branch without downstream tasks, naming the DAG and task', () => {
    expect(() =>
      defineDag({
        id: 'lonely',
        schedule: null,
        startDate: '2026-01-01T00:00:00Z',
        tasks: { choose: branch(() => null), other: noop() },
      }),
    ).to.throw(
      DagDefinitionError,
      "DAG 'lonely', task 'choose': is a branch without downstream tasks to choose from",
    );
  });

  it('rejects a sensor with a timeout that is not a positive number of milliseconds', () => {
    expect(() =>
      defineDag({
        id: 'bad_sensor',
        schedule: null,
        startDate: '2026-01-01T00:00:00Z',
        tasks: { wait: sensor({ poke: () => true, intervalMs: 1000, timeoutMs: 0 }) },
      }),
    ).to.throw(
      DagDefinitionError,
      "DAG 'bad_sensor', task 'wait': sensor timeoutMs must be a positive number",
    );
  });
});

describe('branching: runs through a worker', () => {
  const byParam = branchingDag('by_param', (ctx) => ctx.params.path);
  let h: Harness;
  before(async () => {
    h = await startHarness([byParam]);
    h.startWorker();
  });
  after(async () => h?.close());

  const statesOf = async (runId: number) =>
    Object.fromEntries((await getRun(h.engine, runId))!.task_instances.map((t) => [t.task_id, t.state]));

  it('skips the path not chosen into a none_failed join that runs and an all_success join that is skipped', async () => {
    const run = await triggerRun(h.engine, 'by_param', { conf: { path: 'b' } });
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect(await statesOf(run.id)).to.deep.equal({
      choose: 'success',
      a: 'skipped',
      b: 'success',
      after_a: 'skipped',
      join_nf: 'success',
      join_as: 'skipped',
    });
    const detail = (await getRun(h.engine, run.id))!.task_instances;
    expect(detail.find((t) => t.task_id === 'choose'))
      .to.include({ output: 'b' })
      .and.deep.include({
        followed: ['b'],
      });
  });

  it('fails a branch that names a task which is not a direct downstream task, with a clear message', async () => {
    const run = await triggerRun(h.engine, 'by_param', { conf: { path: 'after_a' } });
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('failed');
    const choose = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'choose')!;
    expect(choose.state).to.equal('failed');
    expect(choose.error).to.equal(
      "branch 'choose' returned 'after_a', which is not a direct downstream task (expected one or more of 'a', 'b')",
    );
    expect(await statesOf(run.id)).to.include({ a: 'upstream_failed', b: 'upstream_failed' });
  });
});
