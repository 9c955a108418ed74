import { expect } from 'chai';
import { createMailer } from '../../platform/index.js';
import {
  cancelTask,
  clearTasks,
  createScheduler,
  defineDag,
  getRun,
  getTaskLogs,
  sensor,
  sqlSensor,
  task,
  triggerRun,
  waitForRun,
  type TaskInstanceDetail,
} from '../../engine/index.js';
import { startSmtpServer } from '../dags/harness.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';

/** What the sensors below wait for; the tests flip it while the worker runs them. */
const world = { ready: false, failNextPoke: false };
const tasksSeenRunning: string[] = [];

const ready = sensor({
  poke: () => {
    if (world.failNextPoke) {
      world.failNextPoke = false;
      throw new Error('the source did not answer');
    }
    return world.ready ? { done: true, output: { seen: 'ready' } } : { done: false, reason: 'not ready' };
  },
  intervalMs: 150,
  timeoutMs: 60_000,
  retries: 1,
  retryDelayMs: 10,
});

const waiting = defineDag({
  id: 'wait_for_ready',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    ready,
    // Typed: the sensor's output, or null had its poke answered a bare `true`.
    after: task((ctx) => ctx.upstream.ready?.seen ?? null, { upstream: { ready } }),
  },
});

const other = defineDag({
  id: 'other_work',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    work: task(() => {
      tasksSeenRunning.push('work');
      return 'done';
    }),
  },
});

const never = defineDag({
  id: 'never_ready',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    never: sensor({ poke: () => false, intervalMs: 100, timeoutMs: 700, retries: 3 }),
    after: task(() => 'ran', { upstream: ['never'] }),
  },
});

const soft = defineDag({
  id: 'soft_sensor',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    maybe: sensor({ poke: () => false, intervalMs: 100, timeoutMs: 500, onTimeout: 'skip' }),
    load: task(() => 'loaded', { upstream: ['maybe'] }),
    report: task(() => 'reported', { upstream: ['load'], triggerRule: 'none_failed' }),
  },
});

const flagged = defineDag({
  id: 'sql_flag',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    flag: sqlSensor({
      sql: 'SELECT count(*) AS flags FROM public.sensor_flags WHERE name = ?',
      bindings: (ctx) => [ctx.dagId],
      intervalMs: 100,
      timeoutMs: 60_000,
    }),
  },
});

async function instance(h: Harness, runId: number, taskId: string): Promise<TaskInstanceDetail> {
  return (await getRun(h.engine, runId))!.task_instances.find((t) => t.task_id === taskId)!;
}

describe('sensors', () => {
  let h: Harness;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let mailer: ReturnType<typeof createMailer>;

  before(async () => {
    smtp = await startSmtpServer();
    mailer = createMailer({
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'wareflow@test.local',
      ALERT_EMAIL_TO: ['team@test.local'],
      DATA_DIR: '/nonexistent',
    });
    h = await startHarness([waiting, other, never, soft, flagged], { mailer });
    await h.db.knex.raw('CREATE TABLE public.sensor_flags (name text NOT NULL)');
    h.startWorker({ concurrency: 1 });
  });
  after(async () => {
    await h?.close();
    mailer?.close();
    await smtp?.close();
  });

  it('pokes until its condition holds, leaving its worker slot to other tasks between pokes', async () => {
    const run = await triggerRun(h.engine, 'wait_for_ready');
    await waitFor('a second poke', async () => (await instance(h, run.id, 'ready')).pokes >= 2);
    // One slot, held by nobody while the sensor waits: another DAG's task runs and finishes.
    const otherRun = await triggerRun(h.engine, 'other_work');
    expect((await waitForRun(h.engine, otherRun.id, { pollMs: 20 })).state).to.equal('success');
    const meanwhile = await instance(h, run.id, 'ready');
    expect(meanwhile.state).to.be.oneOf(['up_for_reschedule', 'running']);
    expect((await getRun(h.engine, run.id))!.state).to.equal('running');

    const pokesBefore = (await instance(h, run.id, 'ready')).pokes;
    await waitFor(
      'a poke after the other task',
      async () => (await instance(h, run.id, 'ready')).pokes > pokesBefore,
    );
    world.ready = true;
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    const ready = await instance(h, run.id, 'ready');
    expect(ready).to.include({ state: 'success', try_number: 1, max_tries: 2 }); // pokes used no retry
    expect(ready.output).to.deep.equal({ seen: 'ready' });
    expect(ready.pokes).to.be.greaterThan(pokesBefore);
    expect((await instance(h, run.id, 'after')).output).to.equal('ready');
    const events = (await getTaskLogs(h.engine, run.id, 'ready'))
      .filter((l) => l.source === 'engine')
      .map((l) => l.fields.event);
    expect(events.filter((e) => e === 'rescheduled')).to.have.length(ready.pokes - 1);
    expect(events.filter((e) => e === 'started')).to.have.length(ready.pokes);
    expect(events.at(-1)).to.equal('succeeded');
    expect(tasksSeenRunning).to.deep.equal(['work']);
  });

  it('says why it waits and when it pokes next', async () => {
    world.ready = false;
    const run = await triggerRun(h.engine, 'wait_for_ready');
    const waitingNow = await waitFor('the sensor between two pokes', async () => {
      const ti = await instance(h, run.id, 'ready');
      return ti.state === 'up_for_reschedule' ? ti : undefined;
    });
    expect(waitingNow.next_try_at).to.be.instanceOf(Date);
    expect(waitingNow.first_poke_at).to.be.instanceOf(Date);
    expect(waitingNow.waiting_reason).to.match(
      /^sensor: condition not met after \d+ pokes?; next poke at \d{4}-\d\d-\d\dT/,
    );
    const lines = await getTaskLogs(h.engine, run.id, 'ready');
    expect(lines.find((l) => l.fields.event === 'rescheduled')?.message).to.match(
      /^rescheduled: not ready \(poke 1\) \(next poke in \d+ ms\)$/,
    );
    world.ready = true;
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
  });

  it('retries a poke that throws, without counting its pokes against the retries', async () => {
    world.ready = false;
    world.failNextPoke = true;
    const run = await triggerRun(h.engine, 'wait_for_ready');
    await waitFor('the retried try poking', async () => {
      const ti = await instance(h, run.id, 'ready');
      return ti.try_number === 2 && ti.pokes >= 3;
    });
    world.ready = true;
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    const ti = await instance(h, run.id, 'ready');
    expect(ti).to.include({ state: 'success', try_number: 2 });
    const raised = (await getTaskLogs(h.engine, run.id, 'ready')).filter((l) => l.fields.event === 'raised');
    expect(raised.map((l) => l.message)).to.deep.equal(['raised Error: the source did not answer']);
  });

  it('fails with "sensor timed out after …" once its timeout has passed, and e-mails it', async () => {
    const run = await triggerRun(h.engine, 'never_ready');
    const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
    expect(done.state).to.equal('failed');
    const ti = await instance(h, run.id, 'never');
    expect(ti.state).to.equal('failed');
    expect(ti.try_number).to.equal(1); // a timeout is not retried, whatever retries are left
    expect(ti.error).to.match(/^sensor timed out after 700 ms: condition not met in \d+ pokes since /);
    expect(ti.pokes).to.be.at.least(2);
    // The last poke is at the deadline, not one interval past it.
    expect(ti.ended_at!.getTime() - ti.first_poke_at!.getTime()).to.be.at.least(700);
    expect((await instance(h, run.id, 'after')).state).to.equal('upstream_failed');
    const mail = await waitFor('the failure e-mail', () =>
      smtp.mails.find((m) => m.subject.includes('never_ready.never')),
    );
    expect(mail.subject).to.match(/^\[wareflow\] task failed: never_ready\.never /);
    expect(mail.raw).to.include('sensor timed out after 700 ms');
    expect(mail.to).to.deep.equal(['team@test.local']);
  });

  it('skips instead, with onTimeout skip: no e-mail, an all_success task is skipped, a none_failed one runs', async () => {
    const mailsBefore = smtp.mails.length;
    const run = await triggerRun(h.engine, 'soft_sensor');
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    const maybe = await instance(h, run.id, 'maybe');
    expect(maybe.state).to.equal('skipped');
    expect(maybe.error).to.match(/^sensor timed out after 500 ms/);
    expect((await instance(h, run.id, 'load')).state).to.equal('skipped');
    expect((await instance(h, run.id, 'report')).state).to.equal('success');
    const skippedLine = (await getTaskLogs(h.engine, run.id, 'maybe')).find(
      (l) => l.fields.event === 'skipped',
    );
    expect(skippedLine?.message).to.match(/^skipped: sensor timed out after 500 ms/);
    expect(smtp.mails.length).to.equal(mailsBefore);
  });

  it('waits for a SQL condition and hands its row downstream', async () => {
    const run = await triggerRun(h.engine, 'sql_flag');
    const ti = await waitFor('a SQL poke that found nothing', async () => {
      const t = await instance(h, run.id, 'flag');
      return t.pokes >= 2 && t.state !== 'success' ? t : undefined;
    });
    expect(ti.state).to.be.oneOf(['up_for_reschedule', 'running']);
    const line = (await getTaskLogs(h.engine, run.id, 'flag')).find((l) => l.fields.event === 'rescheduled');
    expect(line?.message).to.match(/^rescheduled: the query returned 0 \(poke 1\)/);
    await h.db.knex('public.sensor_flags').insert({ name: 'sql_flag' });
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect((await instance(h, run.id, 'flag')).output).to.deep.equal({ flags: 1 });
  });

  it('is cancelled while it waits for its next poke, and that poke then runs nothing', async () => {
    world.ready = false;
    const run = await triggerRun(h.engine, 'wait_for_ready');
    await waitFor('the sensor between two pokes', async () => {
      return (await instance(h, run.id, 'ready')).state === 'up_for_reschedule';
    });
    const result = await cancelTask(h.engine, run.id, 'ready', { by: 'alice' });
    expect(result.cancelled.map((t) => t.previous_state)).to.include.members(['up_for_reschedule']);
    const pokes = (await instance(h, run.id, 'ready')).pokes;
    world.ready = true;
    const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
    expect(done.state).to.equal('cancelled');
    // The delayed job of the next poke fires and finds nothing to claim.
    await waitFor('the next poke job to have ended', async () => {
      const jobs = await h.engine.queues.queue('default').getJobs(['delayed', 'waiting', 'active']);
      return !jobs.some((j) => j.data.runId === run.id);
    });
    expect(await instance(h, run.id, 'ready')).to.include({ state: 'cancelled', pokes });
  });

  it('starts over when cleared: its pokes and first poke are reset, its timeout counts anew', async () => {
    const run = (await getRun(h.engine, (await triggerRun(h.engine, 'never_ready')).id))!;
    await waitForRun(h.engine, run.id, { pollMs: 20 });
    const before = await instance(h, run.id, 'never');
    // No worker while the cleared state is read: one would poke the cleared sensor at once.
    await h.stopWorkers();
    await clearTasks(h.engine, run.id, { taskIds: ['never'] });
    const cleared = await instance(h, run.id, 'never');
    expect(cleared.pokes).to.equal(0);
    expect(cleared.first_poke_at).to.equal(null);
    h.startWorker({ concurrency: 1 });
    await waitForRun(h.engine, run.id, { pollMs: 20 });
    const again = await instance(h, run.id, 'never');
    expect(again.state).to.equal('failed');
    expect(again.try_number).to.equal(before.try_number + 1);
    expect(again.first_poke_at!.getTime()).to.be.greaterThan(before.ended_at!.getTime());
  });

  it('re-enqueues a poke whose delayed job Redis lost, and the sensor carries on', async () => {
    await h.stopWorkers();
    world.ready = false;
    const run = await triggerRun(h.engine, 'wait_for_ready');
    h.startWorker({ concurrency: 1 });
    await waitFor('the sensor between two pokes', async () => {
      return (await instance(h, run.id, 'ready')).state === 'up_for_reschedule';
    });
    await h.stopWorkers();
    await h.engine.queues.queue('default').obliterate({ force: true }); // Redis lost every job
    await waitFor('the next poke to be due', async () => {
      const ti = await instance(h, run.id, 'ready');
      return ti.next_try_at!.getTime() < Date.now();
    });
    const scheduler = createScheduler(h.engine, { strandedAfterMs: 0 });
    expect((await scheduler.tick()).reenqueued).to.equal(1);
    world.ready = true;
    h.startWorker();
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    await scheduler.close();
  });
});
