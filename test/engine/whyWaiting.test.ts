import { expect } from 'chai';
import {
  createScheduler,
  defineDag,
  explainWait,
  getRun,
  sensor,
  setPoolSlots,
  task,
  triggerRun,
  waitJson,
  whyWaiting,
  WAIT_KINDS,
  type Wait,
  type WaitFacts,
} from '../../engine/index.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';

describe('why a task waits: the rule (whyWaiting)', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const facts = (over: Partial<WaitFacts>): WaitFacts => ({
    state: 'scheduled',
    runState: 'running',
    triggerRule: 'all_success',
    upstream: [],
    past: null,
    pool: { name: 'p', slots: 4, used: 1 },
    poolSlots: 1,
    dag: { cap: null, active: 0 },
    nextTryAt: null,
    tryNumber: 1,
    maxTries: 1,
    pokes: 0,
    ahead: 0,
    now,
    ...over,
  });
  const slot = { pool: 'p', slots: 4, used: 1, needs: 1, dag_cap: null, dag_active: 0, ahead: 0 };

  it('names every reason a scheduled task is held back, the first as its kind, with the numbers', () => {
    expect(
      whyWaiting(facts({ pool: { name: 'p', slots: 4, used: 4 }, dag: { cap: 8, active: 8 } })),
    ).to.deep.equal({
      ...slot,
      kind: 'pool_full',
      message: 'pool full (pool p: 4/4 slots); DAG cap (8/8 active)',
      used: 4,
      dag_cap: 8,
      dag_active: 8,
    });
    expect(whyWaiting(facts({ poolSlots: 3, pool: { name: 'p', slots: 4, used: 2 } }))?.message).to.equal(
      'pool full (pool p: 2/4 slots, the task needs 3)',
    );
    expect(whyWaiting(facts({ poolSlots: 5 }))).to.deep.equal({
      ...slot,
      kind: 'pool_too_small',
      message: 'pool too small (pool p has 4 slots, the task needs 5)',
      needs: 5,
    });
    expect(whyWaiting(facts({ dag: { cap: 2, active: 2 } }))).to.deep.include({
      kind: 'dag_cap',
      message: 'DAG cap (2/2 active)',
    });
    expect(whyWaiting(facts({ ahead: 2 }))).to.deep.equal({
      ...slot,
      kind: 'priority',
      message: 'behind 2 higher-priority tasks waiting in pool p',
      ahead: 2,
    });
  });

  it('gives the retry time and the try of a task in backoff, and nothing for one running, ended, or in an ended run', () => {
    const later = new Date(now.getTime() + 60_000);
    expect(
      whyWaiting(facts({ state: 'up_for_retry', nextTryAt: later, tryNumber: 2, maxTries: 3 })),
    ).to.deep.equal({
      kind: 'retry_backoff',
      message: `retry backoff until ${later.toISOString()} (try 2 of 3)`,
      next_try_at: later,
      try_number: 2,
      max_tries: 3,
    });
    expect(whyWaiting(facts({ state: 'up_for_retry', nextTryAt: now }))?.kind).to.equal('worker');
    expect(whyWaiting(facts({ state: 'running' }))).to.equal(null);
    expect(whyWaiting(facts({ state: 'success' }))).to.equal(null);
    expect(whyWaiting(facts({ state: 'none', runState: 'failed' }))).to.equal(null);
  });

  it('lists only the upstream tasks not done yet', () => {
    const wait = whyWaiting(
      facts({
        state: 'none',
        triggerRule: 'all_done',
        upstream: [
          { taskId: 'a', state: 'success' },
          { taskId: 'b', state: 'running' },
          { taskId: 'c', state: 'scheduled' },
        ],
      }),
    );
    expect(wait).to.deep.equal({
      kind: 'upstream',
      message: 'upstream: waiting for b (running), c (scheduled) (trigger rule all_done)',
      trigger_rule: 'all_done',
      pending: [
        { task_id: 'b', state: 'running' },
        { task_id: 'c', state: 'scheduled' },
      ],
    });
  });

  it("names the previous run's task a dependsOnPast task waits for, and a sensor's pokes", () => {
    expect(
      whyWaiting(facts({ state: 'none', past: { runId: 7, taskId: 'load', state: 'none' } })),
    ).to.deep.equal({
      kind: 'depends_on_past',
      message: "depends on past: run 7's task load is not started",
      past_run_id: 7,
      past_task_id: 'load',
      past_state: 'none',
    });
    const next = new Date(now.getTime() + 5_000);
    expect(whyWaiting(facts({ state: 'up_for_reschedule', pokes: 2, nextTryAt: next }))).to.deep.equal({
      kind: 'sensor_reschedule',
      message: `sensor: condition not met after 2 pokes; next poke at ${next.toISOString()}`,
      pokes: 2,
      next_poke_at: next,
    });
  });

  it('prints `reason` beside `kind` for the clients of its first form', () => {
    const wait = whyWaiting(facts({ state: 'queued' }))!;
    expect(waitJson(wait)).to.deep.equal({ ...wait, reason: 'worker' });
    expect(waitJson(null)).to.equal(null);
  });
});

const START = '2026-03-01T00:00:00Z';

const CHAIN = defineDag({
  id: 'wait_chain',
  schedule: null,
  startDate: START,
  tasks: {
    extract: task(async () => null),
    load: task(async () => null, { upstream: ['extract'] }),
  },
});
const PAST = defineDag({
  id: 'wait_past',
  schedule: '0 0 * * *',
  startDate: START,
  catchup: true,
  tasks: { load: task(async () => null, { dependsOnPast: true }) },
});
const NARROW = defineDag({
  id: 'wait_narrow',
  schedule: null,
  startDate: START,
  defaultTaskOptions: { pool: 'etl', weightRule: 'absolute' },
  tasks: {
    high: task(async () => null, { priorityWeight: 10 }),
    mid: task(async () => null, { priorityWeight: 5 }),
    low: task(async () => null, { priorityWeight: 1 }),
    wide: task(async () => null, { poolSlots: 3, priorityWeight: 0 }),
  },
});
const CAPPED = defineDag({
  id: 'wait_capped',
  schedule: null,
  startDate: START,
  maxActiveTasks: 1,
  tasks: { a: task(async () => null), b: task(async () => null) },
});
const FLAKY = defineDag({
  id: 'wait_flaky',
  schedule: null,
  startDate: START,
  tasks: {
    flaky: task(
      () => {
        throw new Error('not yet');
      },
      { retries: 2, retryDelayMs: 600_000, maxRetryDelayMs: 600_000 },
    ),
  },
});
const SENSING = defineDag({
  id: 'wait_sensor',
  schedule: null,
  startDate: START,
  tasks: {
    arrived: sensor({
      poke: () => ({ done: false, reason: 'no file' }),
      intervalMs: 600_000,
      timeoutMs: 3_600_000,
    }),
  },
});

describe('why a task waits: every kind, read from PostgreSQL', () => {
  let h: Harness;
  /** The engine's clock: fixed while the scheduler creates runs, the real one once workers run. */
  let clock: Date | undefined = new Date('2026-03-03T12:00:00Z');
  before(async () => {
    h = await startHarness([CHAIN, PAST, NARROW, CAPPED, FLAKY, SENSING], { now: () => clock ?? new Date() });
  });
  after(async () => h?.close());

  /**
   * Why a task instance waits, as `explainWait` reads it alone — after checking that the run's
   * list (`getRun`: run page, API, CLI) says exactly the same of it.
   */
  const waitOf = async (runId: number, taskId: string): Promise<Wait | null> => {
    const alone = await explainWait(h.engine, runId, taskId);
    const listed = (await getRun(h.engine, runId))!.task_instances.find((t) => t.task_id === taskId)!;
    expect(listed.waiting, `${taskId} in its run's list`).to.deep.equal(alone);
    expect(listed.waiting_reason).to.equal(alone?.message ?? null);
    return alone;
  };
  const seen = new Set<string>();
  afterEach(function () {
    if (this.currentTest?.state !== 'passed') return;
    for (const kind of WAIT_KINDS) if (this.currentTest.title.includes(kind)) seen.add(kind);
  });

  it('upstream and worker: a task after one that is queued for a worker', async () => {
    const run = await triggerRun(h.engine, CHAIN.id);
    expect(await waitOf(run.id, 'load')).to.deep.equal({
      kind: 'upstream',
      message: 'upstream: waiting for extract (queued) (trigger rule all_success)',
      trigger_rule: 'all_success',
      pending: [{ task_id: 'extract', state: 'queued' }],
    });
    expect(await waitOf(run.id, 'extract')).to.deep.equal({
      kind: 'worker',
      message: 'queued on worker pool default: waiting for a free worker',
      pool: 'default',
    });
  });

  it("depends_on_past: the next run's task while the previous run's has not run", async () => {
    const scheduler = createScheduler(h.engine);
    expect((await scheduler.tick()).created).to.equal(2);
    await scheduler.close();
    const [first, second] = (
      await h.db.knex('orchestrator.dag_runs').where({ dag_id: PAST.id }).orderBy('logical_date')
    ).map((r: { id: number }) => r.id) as [number, number];
    expect(await waitOf(second, 'load')).to.deep.equal({
      kind: 'depends_on_past',
      message: `depends on past: run ${first}'s task load is queued`,
      past_run_id: first,
      past_task_id: 'load',
      past_state: 'queued',
    });
  });

  it('pool_full, pool_too_small and priority: the grant order of a pool, with its numbers', async () => {
    await setPoolSlots(h.engine, 'etl', 0, { by: 'spec' });
    const run = await triggerRun(h.engine, NARROW.id);
    const numbers = { pool: 'etl', slots: 0, used: 0, needs: 1, dag_cap: null, dag_active: 0, ahead: 0 };
    expect(await waitOf(run.id, 'low')).to.deep.equal({
      ...numbers,
      kind: 'pool_full',
      message: 'pool full (pool etl: 0/0 slots)',
      ahead: 2,
    });
    // Two slots, written without a grant (as a pool edited by a process that died before it granted).
    await h.db.knex('orchestrator.pools').where({ name: 'etl' }).update({ slots: 2 });
    expect(await waitOf(run.id, 'wide')).to.deep.equal({
      ...numbers,
      kind: 'pool_too_small',
      message: 'pool too small (pool etl has 2 slots, the task needs 3)',
      slots: 2,
      needs: 3,
      ahead: 3,
    });
    expect(await waitOf(run.id, 'high')).to.deep.equal({
      ...numbers,
      kind: 'priority',
      message: 'a slot is free in pool etl: granted at the next grant',
      slots: 2,
    });
    expect(await waitOf(run.id, 'low')).to.deep.equal({
      ...numbers,
      kind: 'priority',
      message: 'behind 2 higher-priority tasks waiting in pool etl',
      slots: 2,
      ahead: 2,
    });
    await setPoolSlots(h.engine, 'etl', 2, { by: 'spec' }); // grants high and mid
    expect(await waitOf(run.id, 'low')).to.deep.include({
      kind: 'pool_full',
      message: 'pool full (pool etl: 2/2 slots)',
      used: 2,
      ahead: 0,
    });
    expect((await waitOf(run.id, 'high'))?.kind).to.equal('worker');
  });

  it('dag_cap: a task of a DAG with as many active tasks as its cap', async () => {
    const run = await triggerRun(h.engine, CAPPED.id);
    const run2 = (await getRun(h.engine, run.id))!;
    const waiting = run2.task_instances.find((t) => t.state === 'scheduled')!;
    // Unlimited, its pool holds whatever else is queued: only the cap holds the task back.
    expect(await waitOf(run.id, waiting.task_id)).to.deep.include({
      kind: 'dag_cap',
      message: 'DAG cap (1/1 active)',
      pool: 'default',
      slots: null,
      needs: 1,
      dag_cap: 1,
      dag_active: 1,
      ahead: 0,
    });
  });

  it('retry_backoff and sensor_reschedule: a failed try waiting for its retry, a sensor between pokes', async () => {
    clock = undefined;
    const flaky = await triggerRun(h.engine, FLAKY.id);
    const sensing = await triggerRun(h.engine, SENSING.id);
    h.startWorker();
    const retrying = await waitFor('the retry to wait', async () => {
      const ti = (await getRun(h.engine, flaky.id))!.task_instances[0]!;
      return ti.state === 'up_for_retry' ? ti : undefined;
    });
    const poking = await waitFor('the sensor to wait', async () => {
      const ti = (await getRun(h.engine, sensing.id))!.task_instances[0]!;
      return ti.state === 'up_for_reschedule' ? ti : undefined;
    });
    await h.stopWorkers();
    expect(await waitOf(flaky.id, 'flaky')).to.deep.equal({
      kind: 'retry_backoff',
      message: `retry backoff until ${retrying.next_try_at!.toISOString()} (try 2 of 3)`,
      next_try_at: retrying.next_try_at,
      try_number: 2,
      max_tries: 3,
    });
    expect(await waitOf(sensing.id, 'arrived')).to.deep.equal({
      kind: 'sensor_reschedule',
      message: `sensor: condition not met after 1 poke; next poke at ${poking.next_try_at!.toISOString()}`,
      pokes: 1,
      next_poke_at: poking.next_try_at,
    });
  });

  it('covers every kind there is', () => {
    expect([...seen].sort()).to.deep.equal([...WAIT_KINDS].sort());
  });
});
