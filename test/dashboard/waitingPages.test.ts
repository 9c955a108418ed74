import { expect } from 'chai';
import {
  branch,
  cancelRun,
  createScheduler,
  defineDag,
  sensor,
  task,
  triggerRun,
  waitForRun,
} from '../../engine/index.js';
import { startHarness } from '../engine/harness.js';
import { waitFor } from '../support/wait.js';
import { apiClient, PUBLIC_READ, startServer, type TestServer } from './server.js';

const START = '2026-03-01T00:00:00Z';

const sensing = defineDag({
  id: 'page_sensor',
  schedule: null,
  startDate: START,
  tasks: {
    arrived: sensor({
      poke: () => ({ done: false, reason: 'no export yet' }),
      intervalMs: 5_000,
      timeoutMs: 3_600_000,
    }),
  },
});

const choosing = defineDag({
  id: 'page_branch',
  schedule: null,
  startDate: START,
  tasks: {
    choose: branch(() => 'small'),
    small: task(() => 'small', { upstream: ['choose'] }),
    large: task(() => 'large', { upstream: ['choose'] }),
  },
});

const chained = defineDag({
  id: 'page_past',
  schedule: '0 0 * * *',
  startDate: START,
  catchup: true,
  tasks: {
    load: task(
      (ctx) => {
        if (ctx.dataIntervalStart.toISOString().startsWith('2026-03-01')) throw new Error('no rows');
        return 'loaded';
      },
      { dependsOnPast: true },
    ),
  },
});

/** What the pages show of a waiting task is what the API answers (one source: the engine's getRun). */
describe('pages and API: why a task waits (sensors, branches, depends on past)', () => {
  let s: TestServer;
  const { get } = apiClient(() => s);
  const page = async (path: string) => (await fetch(`${s.url}${path}`)).text();

  before(async () => {
    const harness = await startHarness([sensing, choosing, chained], {
      now: () => new Date('2026-03-03T12:00:00Z'),
    });
    s = await startServer({ harness, worker: true, env: PUBLIC_READ });
  });
  after(async () => {
    await s?.close();
    await s?.harness.close();
  });

  it("shows a sensor's next poke, its pokes and why it waits, as the API does", async () => {
    const run = await triggerRun(s.harness.engine, 'page_sensor');
    const ti = await waitFor('the sensor between two pokes', async () => {
      const { body } = await get(`/api/runs/${run.id}/tasks/arrived`);
      return body.state === 'up_for_reschedule' ? body : undefined;
    });
    expect(ti.pokes).to.equal(1);
    expect(ti.definition.sensor).to.deep.equal({
      interval_ms: 5_000,
      timeout_ms: 3_600_000,
      exponential_backoff: false,
      max_interval_ms: 3_600_000,
      on_timeout: 'fail',
    });
    expect(ti.waiting_reason).to.match(/^sensor: condition not met after 1 poke; next poke at /);
    expect(ti.waiting_reason).to.include(ti.next_try_at);
    expect(ti.waiting).to.deep.equal({
      kind: 'sensor_reschedule',
      reason: 'sensor_reschedule',
      message: ti.waiting_reason,
      pokes: 1,
      next_poke_at: ti.next_try_at,
    });
    // The run's list says the same of it: one answer, in both shapes.
    const listed = (await get(`/api/runs/${run.id}`)).body.task_instances[0];
    expect([listed.waiting_reason, listed.waiting.kind]).to.deep.equal([
      ti.waiting_reason,
      'sensor_reschedule',
    ]);
    const html = await page(`/dags/page_sensor/runs/${run.id}/tasks/arrived`);
    expect(html).to.include('<dt>Next poke</dt>');
    expect(html).to.match(
      /<p class="waiting" id="waiting-reason" data-kind="sensor_reschedule">\s*<strong>Waiting:<\/strong> sensor: condition not met after 1 poke; next poke at /,
    );
    expect(html).to.match(/pokes every 5\.00 s, gives up\s+after 1 h 0 min \(then fails\)/);
    expect(html).to.match(/<dd id="pokes">1 since /);
    expect(html).to.include('data-active="yes"'); // the page keeps refreshing while it waits
    expect(await page(`/dags/page_sensor/runs/${run.id}`)).to.include(
      'sensor: condition not met after 1 poke',
    );
    const log = await get(`/api/runs/${run.id}/tasks/arrived/logs`);
    expect(log.body.final).to.equal(false);
    const messages = log.body.lines.map((l: { message: string }) => l.message);
    expect(messages.at(-1)).to.match(/^rescheduled: no export yet \(poke 1\) \(next poke in \d+ ms\)$/);
    await cancelRun(s.harness.engine, run.id, { by: 'test' });
  });

  it('shows which tasks a branch followed', async () => {
    const run = await triggerRun(s.harness.engine, 'page_branch');
    expect((await waitForRun(s.harness.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    const { body } = await get(`/api/runs/${run.id}/tasks/choose`);
    expect(body).to.deep.include({ output: 'small', followed: ['small'] });
    expect(body.definition).to.deep.include({ branch: true, downstream: ['small', 'large'], sensor: null });
    expect((await get(`/api/runs/${run.id}/tasks/large`)).body.state).to.equal('skipped');
    const html = await page(`/dags/page_branch/runs/${run.id}/tasks/choose`);
    expect(html).to.match(/<dd id="followed">\s*followed small\s*<\/dd>/);
  });

  it("says which run's task a task that depends on its past waits for", async () => {
    const scheduler = createScheduler(s.harness.engine);
    expect((await scheduler.tick()).created).to.equal(2);
    const runs = await s.harness.db
      .knex('orchestrator.dag_runs')
      .where({ dag_id: 'page_past' })
      .orderBy('logical_date');
    const [first, second] = runs.map((r: { id: number }) => r.id);
    expect((await waitForRun(s.harness.engine, first!, { pollMs: 20 })).state).to.equal('failed');
    const reason = `depends on past: run ${first}'s task load is failed`;
    const { body } = await get(`/api/runs/${second}/tasks/load`);
    expect(body).to.include({ state: 'none', waiting_reason: reason });
    expect(body.waiting).to.deep.equal({
      kind: 'depends_on_past',
      reason: 'depends_on_past',
      message: reason,
      past_run_id: first,
      past_task_id: 'load',
      past_state: 'failed',
    });
    expect(body.definition.depends_on_past).to.equal(true);
    const html = await page(`/dags/page_past/runs/${second}/tasks/load`);
    expect(html).to.match(
      new RegExp(
        `<p class="waiting" id="waiting-reason" data-kind="depends_on_past">\\s*<strong>Waiting:</strong> depends on past: run ${first}&#39;s task load is failed`,
      ),
    );
    expect(await page(`/dags/page_past/runs/${second}`)).to.match(
      new RegExp(`data-kind="depends_on_past">depends on past: run ${first}&#39;s task load is failed<`),
    );
    expect(html).to.include('<dt>Depends on past</dt>');
    await scheduler.close();
  });
});
