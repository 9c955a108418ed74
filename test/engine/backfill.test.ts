import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { advanceBackfill, planBackfill, startBackfill, type BackfillProgress } from '../../engine/index.js';
import { TEST_REDIS_URL } from '../support/isolation.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';
import { backfillDag } from './fixtures-backfill.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'backfillChild.ts');
const day = (d: string) => new Date(`${d}T00:00:00Z`);
const endOf = (d: string) => new Date(`${d}T23:59:59.999Z`);

async function runToEnd(h: Harness, id: number): Promise<BackfillProgress> {
  return waitFor(
    'the backfill to end',
    async () => {
      const p = await advanceBackfill(h.engine, backfillDag, id);
      return p.state === 'running' ? undefined : p;
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
}

async function runsOf(h: Harness) {
  return h.db.knex('orchestrator.dag_runs').where('dag_id', backfillDag.id).orderBy('logical_date');
}

describe('backfills', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([backfillDag]);
  });
  after(async () => h?.close());

  it('plans one interval per day of the range, both ends included (the dry run)', () => {
    const intervals = planBackfill(backfillDag, day('2025-03-01'), endOf('2025-03-10'));
    expect(intervals).to.have.length(10);
    expect(intervals[0]!.start.toISOString()).to.equal('2025-03-01T02:00:00.000Z');
    expect(intervals[9]!.end.toISOString()).to.equal('2025-03-11T02:00:00.000Z');
  });

  it('creates no more runs at once than its concurrency, then runs every interval once', async () => {
    const b = await startBackfill(h.engine, backfillDag.id, {
      from: day('2025-02-01'),
      to: endOf('2025-02-08'),
      concurrency: 3,
    });
    expect(b.total).to.equal(8);
    const first = await advanceBackfill(h.engine, backfillDag, b.id);
    expect(first.running).to.equal(3);
    expect(await runsOf(h)).to.have.length(3);
    h.startWorker({ concurrency: 8 });
    const done = await runToEnd(h, b.id);
    expect(done).to.include({ state: 'success', total: 8, succeeded: 8, failed: 0, skipped: 0 });
    const runs = await runsOf(h);
    expect(runs.map((r) => r.run_type)).to.deep.equal(Array(8).fill('backfill'));
    expect(runs.every((r) => r.state === 'success')).to.equal(true);
  });

  it('skips intervals that already succeeded, and reruns them with reset', async () => {
    const again = await startBackfill(h.engine, backfillDag.id, {
      from: day('2025-02-01'),
      to: endOf('2025-02-08'),
    });
    expect(await runToEnd(h, again.id)).to.include({ state: 'success', skipped: 8, succeeded: 0 });
    const reset = await startBackfill(h.engine, backfillDag.id, {
      from: day('2025-02-01'),
      to: endOf('2025-02-08'),
      reset: true,
    });
    expect(await runToEnd(h, reset.id)).to.include({ state: 'success', succeeded: 8, skipped: 0 });
    const tries = await h.db
      .knex('orchestrator.task_instances')
      .where('dag_id', backfillDag.id)
      .distinct('try_number');
    expect(tries.map((t) => t.try_number)).to.deep.equal([2]);
    expect(await runsOf(h)).to.have.length(8);
  });

  it('resumes after its process is killed with SIGKILL, without gaps or doubles', async () => {
    // Workers of one deployment share their stale-heartbeat timing; a worker left from an earlier
    // test (30 s default) would park the dead process's try for 30 s instead of 1.5 s.
    await h.stopWorkers();
    const from = '2025-04-01T00:00:00Z';
    const to = '2025-04-12T23:59:59.999Z';
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        DATABASE_URL: h.db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: h.prefix,
        FROM: from,
        TO: to,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const id = await new Promise<number>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        const m = /backfill (\d+)/.exec(c.toString());
        if (m) resolve(Number(m[1]));
      }),
    );
    await waitFor('a few intervals to succeed', async () => {
      const { rows } = await h.db.knex.raw(
        `SELECT count(*)::int AS n FROM orchestrator.dag_runs WHERE backfill_id = ? AND state = 'success'`,
        [id],
      );
      return rows[0].n >= 3;
    });
    child.kill('SIGKILL');
    await exited;

    const resumed = await startBackfill(h.engine, backfillDag.id, {
      from: new Date(from),
      to: new Date(to),
      concurrency: 4,
    });
    expect(resumed.id).to.equal(id);
    h.startWorker({ concurrency: 8, lockDurationMs: 1000, stalledIntervalMs: 500, staleMs: 1500 });
    const done = await runToEnd(h, id);
    expect(done).to.include({ state: 'success', total: 12, succeeded: 12 });
    const { rows } = await h.db.knex.raw(
      `SELECT count(*)::int AS runs, count(DISTINCT logical_date)::int AS days,
              bool_and(state = 'success') AS ok
         FROM orchestrator.dag_runs WHERE dag_id = ? AND logical_date BETWEEN ? AND ?`,
      [backfillDag.id, from, to],
    );
    expect(rows[0]).to.deep.equal({ runs: 12, days: 12, ok: true });
  });

  it('puts right, when resumed, what a killed command left only in PostgreSQL', async () => {
    await h.stopWorkers();
    const from = day('2025-05-01');
    const to = endOf('2025-05-03');
    const b = await startBackfill(h.engine, backfillDag.id, { from, to, concurrency: 2 });
    // Where a kill -9 can land: runs and their first tries committed, no job added yet.
    const { queues } = h.engine;
    const enqueue = queues.enqueue.bind(queues);
    queues.enqueue = async () => undefined;
    try {
      expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({ running: 2 });
    } finally {
      queues.enqueue = enqueue;
    }
    const [notEnqueued, notAdvanced] = await h.db
      .knex('orchestrator.dag_runs')
      .where('backfill_id', b.id)
      .orderBy('logical_date')
      .pluck('id');
    // And later in a run: the last task's success recorded, the run not yet told (a finish is two
    // statements, and the kill came between them).
    await h.db
      .knex('orchestrator.task_instances')
      .where('run_id', notAdvanced)
      .update({ state: 'success', try_number: 1, started_at: new Date(), ended_at: new Date() });

    const resumed = await startBackfill(h.engine, backfillDag.id, { from, to, concurrency: 2 });
    expect(resumed.id).to.equal(b.id);
    expect(await h.db.knex('orchestrator.dag_runs').where('id', notAdvanced).first('state')).to.deep.equal({
      state: 'success',
    });
    h.startWorker({ concurrency: 4 });
    expect(await runToEnd(h, b.id)).to.include({ state: 'success', total: 3, succeeded: 3 });
    const tries = await h.db
      .knex('orchestrator.task_instances')
      .where('run_id', notEnqueued)
      .pluck('try_number');
    expect(tries).to.deep.equal([1, 1, 1, 1]);
  });
});
