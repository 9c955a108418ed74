import { expect } from 'chai';
import {
  createWorkerStore,
  defineDag,
  task,
  triggerRun,
  waitForRun,
  type WorkerStore,
} from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';

const pair = defineDag({
  id: 'pair',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    first: task(async () => 1),
    second: task(async () => 2, { upstream: ['first'] }),
  },
});

/** A try that runs until the spec lets it go. */
let letGo: () => void = () => undefined;
const held = defineDag({
  id: 'held',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: { wait: task(() => new Promise<null>((r) => (letGo = () => r(null)))) },
});

describe('the store operations a worker is handed', () => {
  let h: Harness;
  let workerId: string;
  const calls: string[] = [];
  before(async () => {
    h = await startHarness([pair, held]);
    const real = createWorkerStore(h.engine.knex);
    // Every operation goes through the store passed in: the worker has no SQL of its own.
    const store: WorkerStore = {
      claimTries: (...a) => (calls.push('claimTries'), real.claimTries(...a)),
      tryIsRunning: (...a) => (calls.push('tryIsRunning'), real.tryIsRunning(...a)),
      heartbeat: (...a) => (calls.push('heartbeat'), real.heartbeat(...a)),
      finishTries: (...a) => (calls.push('finishTries'), real.finishTries(...a)),
      appendTaskLogs: (...a) => (calls.push('appendTaskLogs'), real.appendTaskLogs(...a)),
    };
    workerId = h.startWorker({ store, concurrency: 1 }).id;
  });
  after(async () => h?.close());

  it('claims and finishes every try through the operations it was given', async () => {
    const run = await triggerRun(h.engine, 'pair');
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect(calls.filter((c) => c === 'claimTries')).to.have.length(2);
    expect(calls.filter((c) => c === 'finishTries')).to.have.length(2);
  });

  it('answers a heartbeat at once while another statement holds the row of a running try', async () => {
    const run = await triggerRun(h.engine, 'held');
    const store = createWorkerStore(h.engine.knex);
    const deadline = Date.now() + 10_000;
    while ((await store.heartbeat(workerId)).length === 0) {
      if (Date.now() > deadline) throw new Error('the try never started');
      await new Promise((r) => setTimeout(r, 20));
    }
    const trx = await h.engine.knex.transaction();
    try {
      await trx.raw(
        `SELECT 1 FROM orchestrator.task_instances WHERE run_id = ? AND task_id = 'wait' FOR UPDATE`,
        [run.id],
      );
      const started = Date.now();
      const beat = await store.heartbeat(workerId);
      expect(beat).to.deep.equal([{ run_id: run.id, task_id: 'wait', try_number: 1 }]);
      expect(Date.now() - started).to.be.below(1_000); // not a lock wait, nor a deadlock timeout
    } finally {
      await trx.rollback();
      letGo();
    }
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
  });
});
