import { expect } from 'chai';
import {
  createEngine,
  createWorkerStore,
  createScheduler,
  defineDag,
  getRun,
  task,
  triggerRun,
  waitForRun,
} from '../../engine/index.js';
import { createTaskWorker } from '../../workers/index.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from '../engine/harness.js';

const deployedLater = defineDag({
  id: 'deployed_later',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    first: task(async () => 1),
    second: task(async () => 2, { upstream: ['first'] }),
  },
});

describe('a worker that does not know the DAG of a job', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([deployedLater]);
  });
  after(async () => h?.close());

  it('fails the try with a message naming the DAG, and the scheduler settles the run', async () => {
    // A worker deployed with an older DAG list, on the same pool.
    const stale = createEngine({
      knex: h.engine.knex,
      redis: h.redis,
      queuePrefix: h.prefix,
      dags: [],
      logger: h.engine.logger,
    });
    const worker = createTaskWorker(stale, {
      store: createWorkerStore(h.engine.knex),
      connection: h.redis,
      pools: ['default'],
      concurrency: 1,
    });
    try {
      const run = await triggerRun(h.engine, 'deployed_later');
      await waitFor('the try of first to fail', async () => {
        const first = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'first');
        return first?.state === 'failed';
      });
      const first = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'first')!;
      expect(first.error).to.match(/DAG 'deployed_later' is not known to worker/);
      await createScheduler(h.engine).tick();
      const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
      expect(done.state).to.equal('failed');
      const second = (await getRun(h.engine, run.id))!.task_instances.find((t) => t.task_id === 'second');
      expect(second).to.include({ state: 'upstream_failed' });
    } finally {
      await worker.close();
      await stale.close();
    }
  });
});
