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

describe('the store operations a worker is handed', () => {
  let h: Harness;
  const calls: string[] = [];
  before(async () => {
    h = await startHarness([pair]);
    const real = createWorkerStore(h.engine.knex);
    // Every operation goes through the store passed in: the worker has no SQL of its own.
    const store: WorkerStore = {
      claimTries: (...a) => (calls.push('claimTries'), real.claimTries(...a)),
      tryIsRunning: (...a) => (calls.push('tryIsRunning'), real.tryIsRunning(...a)),
      heartbeat: (...a) => (calls.push('heartbeat'), real.heartbeat(...a)),
      finishTries: (...a) => (calls.push('finishTries'), real.finishTries(...a)),
      appendTaskLogs: (...a) => (calls.push('appendTaskLogs'), real.appendTaskLogs(...a)),
    };
    h.startWorker({ store, concurrency: 1 });
  });
  after(async () => h?.close());

  it('claims and finishes every try through the operations it was given', async () => {
    const run = await triggerRun(h.engine, 'pair');
    expect((await waitForRun(h.engine, run.id, { pollMs: 20 })).state).to.equal('success');
    expect(calls.filter((c) => c === 'claimTries')).to.have.length(2);
    expect(calls.filter((c) => c === 'finishTries')).to.have.length(2);
  });
});
