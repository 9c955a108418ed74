import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { migrateLatest, migrateRollback } from '../../db/index.js';
import { claimTries } from '../../engine/store/index.js';
import {
  defineDag,
  getRun,
  jobIdFor,
  task,
  triggerRun,
  waitForRun,
  type QueuedTry,
} from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';

const chain = defineDag({
  id: 'reset_chain',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    extract: task(async () => 1),
    transform: task(async () => 2, { upstream: ['extract'] }),
    load: task(async () => 3, { upstream: ['transform'] }),
  },
});

/** Under the scheduler's 15 s stranded-try sweep, with room for a loaded machine. */
const HANDOFF_MS = 5_000;

describe('job ids across a re-created database', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([chain]);
  });
  after(async () => h?.close());

  it("starts the first run's tasks within the normal handoff after the database is re-created while Redis keeps its jobs", async () => {
    h.startWorker();
    const before = await triggerRun(h.engine, 'reset_chain');
    expect((await waitForRun(h.engine, before.id, { pollMs: 20 })).state).to.equal('success');
    await h.stopWorkers();
    expect(await h.engine.queues.queue('default').getCompletedCount()).to.equal(3);

    // `db reset`: every table dropped and created again, so run ids and try numbers start over,
    // while Redis keeps the completed jobs of the old database under the same prefix.
    await migrateRollback(h.db.knex, { all: true });
    await migrateLatest(h.db.knex);
    h.startWorker();
    const again = await triggerRun(h.engine, 'reset_chain');
    expect(again.id).to.equal(before.id);
    const done = await waitForRun(h.engine, again.id, { pollMs: 20 });
    expect(done.state).to.equal('success');
    for (const ti of (await getRun(h.engine, again.id))!.task_instances) {
      const waited = ti.started_at!.getTime() - ti.queued_at!.getTime();
      expect(waited, `${ti.task_id} waited ${waited} ms in queued`).to.be.below(HANDOFF_MS);
    }
    expect(done.ended_at!.getTime() - done.started_at.getTime()).to.be.below(HANDOFF_MS);
    expect(await h.engine.queues.queue('default').getCompletedCount()).to.equal(6);
  });

  it('adds one job for a try enqueued twice, and a job with another key claims nothing', async () => {
    await h.stopWorkers();
    const run = await triggerRun(h.engine, 'reset_chain');
    const ti = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'extract')!;
    const queued: QueuedTry = {
      runId: run.id,
      dagId: 'reset_chain',
      taskId: 'extract',
      pool: ti.pool,
      tryNumber: ti.try_number,
      tryKey: ti.try_key,
    };
    // triggerRun enqueued it once; a worker and the sweep racing enqueue it again, twice at once.
    await Promise.all([h.engine.queues.enqueue([queued]), h.engine.queues.enqueue([queued, queued])]);
    const waiting = await h.engine.queues.queue('default').getWaiting();
    expect(waiting.map((j) => j.id)).to.deep.equal([jobIdFor(queued)]);

    // A job left by another database names the same run, task and try, but not this key.
    const [stranger] = await claimTries(h.engine.knex, 'stranger', 30_000, [
      { runId: run.id, taskId: 'extract', tryNumber: ti.try_number, tryKey: randomUUID(), upstream: [] },
    ]);
    expect(stranger).to.equal(undefined);
    h.startWorker();
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
  });

  it('draws a new key for each new try, including one queued again after a clear', async () => {
    const keys = await h.db.knex.raw(
      `SELECT count(DISTINCT try_key)::int AS keys, count(*)::int AS rows FROM orchestrator.task_instances`,
    );
    expect(keys.rows[0].keys).to.equal(keys.rows[0].rows);
    const row = () =>
      h.db
        .knex('orchestrator.task_instances')
        .where({ task_id: 'load' })
        .orderBy('run_id', 'desc')
        .first('run_id', 'try_number', 'try_key');
    const first = await row();
    await h.db.knex.raw(
      `UPDATE orchestrator.task_instances SET try_number = try_number + 1 WHERE run_id = ? AND task_id = 'load'`,
      [first.run_id],
    );
    const second = await row();
    expect(second.try_number).to.equal(first.try_number + 1);
    expect(second.try_key).to.not.equal(first.try_key);
    await h.db.knex.raw(
      `UPDATE orchestrator.task_instances SET state = state, try_number = try_number WHERE run_id = ?`,
      [first.run_id],
    );
    expect((await row()).try_key).to.equal(second.try_key);
  });
});
