import { expect } from 'chai';
import { defineDag, task, getRun, getTaskLogs, triggerRun, waitForRun } from '../../engine/index.js';
import { startMetricsServer } from '../../workers/index.js';
import { startHarness, type Harness } from '../engine/harness.js';

const START = '2026-01-01T00:00:00Z';

let attempts = 0;
let sawAbort = false;

const extract = task(async (ctx) => {
  ctx.log.info('extracting', { rows: 3 });
  return { rows: 3, day: ctx.dataIntervalStart.toISOString().slice(0, 10) };
});
const transform = task(async (ctx) => ({ doubled: ctx.upstream.extract.rows * 2 }), {
  upstream: { extract },
});
const load = task(async (ctx) => ({ total: ctx.upstream.transform.doubled + ctx.upstream.extract.rows }), {
  upstream: { extract, transform },
});
const chain = defineDag({
  id: 'chain',
  schedule: '0 2 * * *',
  startDate: START,
  tasks: { extract, transform, load },
});

const flaky = defineDag({
  id: 'flaky',
  schedule: null,
  startDate: START,
  tasks: {
    sometimes: task(
      async (ctx) => {
        attempts += 1;
        ctx.log.info(`try ${ctx.tryNumber}`);
        if (ctx.tryNumber < 3) throw new Error(`boom on try ${ctx.tryNumber}`);
        return { attempts };
      },
      { retries: 3, retryDelayMs: 20 },
    ),
  },
});

const slow = defineDag({
  id: 'slow',
  schedule: null,
  startDate: START,
  tasks: {
    hang: task(
      (ctx) =>
        new Promise<null>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            resolve(null);
          });
        }),
      { timeoutMs: 150 },
    ),
  },
});

describe('task execution on BullMQ workers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([chain, flaky, slow]);
    h.startWorker();
    h.startWorker();
  });
  after(async () => h?.close());

  it('hands upstream outputs to downstream tasks and stores every output', async () => {
    const run = await triggerRun(h.engine, 'chain');
    const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
    expect(done.state).to.equal('success');
    const detail = await getRun(h.engine, run.id);
    const outputs = Object.fromEntries(detail!.task_instances.map((t) => [t.task_id, t.output]));
    expect(outputs.transform).to.deep.equal({ doubled: 6 });
    expect(outputs.load).to.deep.equal({ total: 9 });
    expect(detail!.task_instances.every((t) => t.try_number === 1 && t.state === 'success')).to.equal(true);
    const logs = await getTaskLogs(h.engine, run.id, 'extract');
    expect(logs.filter((l) => l.source === 'task').map((l) => [l.level, l.message, l.fields])).to.deep.equal([
      ['info', 'extracting', { rows: 3 }],
    ]);
    expect(logs.map((l) => l.fields.event ?? l.message)).to.deep.equal([
      'queued',
      'started',
      'extracting',
      'succeeded',
    ]);
  });

  it('retries a failing task with backoff until it succeeds, keeping the logs of every try', async () => {
    const run = await triggerRun(h.engine, 'flaky');
    const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
    expect(done.state).to.equal('success');
    const ti = (await getRun(h.engine, run.id))!.task_instances[0]!;
    expect(ti).to.include({ state: 'success', try_number: 3 });
    expect(ti.output).to.deep.equal({ attempts: 3 });
    const logs = await getTaskLogs(h.engine, run.id, 'sometimes');
    expect(logs.filter((l) => l.source === 'task').map((l) => [l.try_number, l.message])).to.deep.equal([
      [1, 'try 1'],
      [2, 'try 2'],
      [3, 'try 3'],
    ]);
    // The engine's events sit among the task's lines, each retry with its reason and delay.
    expect(logs.map((l) => [l.try_number, l.source, l.fields.event ?? l.message])).to.deep.equal([
      [1, 'engine', 'queued'],
      [1, 'engine', 'started'],
      [1, 'task', 'try 1'],
      [1, 'engine', 'raised'],
      [1, 'engine', 'retried'],
      [2, 'engine', 'queued'],
      [2, 'engine', 'started'],
      [2, 'task', 'try 2'],
      [2, 'engine', 'raised'],
      [2, 'engine', 'retried'],
      [3, 'engine', 'queued'],
      [3, 'engine', 'started'],
      [3, 'task', 'try 3'],
      [3, 'engine', 'succeeded'],
    ]);
    const retried = logs.filter((l) => l.fields.event === 'retried');
    expect(retried.map((l) => l.fields.reason)).to.deep.equal(['boom on try 1', 'boom on try 2']);
    expect(retried[0]!.message).to.match(/^retried: boom on try 1 \(next try in \d+ ms\)$/);
    expect(retried.map((l) => l.fields.delay_ms)).to.satisfy((d: number[]) => d.every((ms) => ms <= 40));
  });

  it('fires the abort signal on timeout, fails the try and e-mails the final failure', async () => {
    const run = await triggerRun(h.engine, 'slow');
    const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
    expect(done.state).to.equal('failed');
    expect(sawAbort).to.equal(true);
    const ti = (await getRun(h.engine, run.id))!.task_instances[0]!;
    expect(ti.state).to.equal('failed');
    expect(ti.error).to.equal("task 'hang' timed out after 150 ms");
    const events = (await getTaskLogs(h.engine, run.id, 'hang')).filter((l) => l.source === 'engine');
    expect(events.map((l) => [l.level, l.message])).to.deep.equal([
      ['info', 'queued in pool default'],
      ['info', `started on worker ${events[1]!.fields.worker_id}`],
      ['error', 'timed out after 150 ms'],
      ['error', "failed: task 'hang' timed out after 150 ms"],
    ]);
    expect(h.mail.sent.map((m) => m.subject)).to.include(
      `[wareflow] task failed: slow.hang (${done.logical_date.toISOString()})`,
    );
  });

  it('serves Prometheus metrics: runs and tasks by state, durations, handoff latency, queue depth', async () => {
    const server = await startMetricsServer(h.engine.metrics.registry, 0, h.engine.logger);
    try {
      const body = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(body).to.match(/^wareflow_dag_runs\{dag_id="chain",state="success"\} 1$/m);
      expect(body).to.match(/^wareflow_task_instances\{dag_id="slow",state="failed"\} 1$/m);
      expect(body).to.match(
        /^wareflow_task_duration_seconds_count\{dag_id="chain",task_id="load",outcome="success"\} 1$/m,
      );
      expect(body).to.match(/^wareflow_task_handoff_seconds_count\{pool="default"\} [1-9]/m);
      expect(body).to.match(/^wareflow_queue_depth\{pool="default",state="waiting"\} 0$/m);
    } finally {
      await server.close();
    }
  });
});
