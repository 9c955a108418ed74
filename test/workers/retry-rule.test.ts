import { expect } from 'chai';
import { WareflowError } from '../../platform/index.js';
import { defineDag, getRun, PermanentTaskError, task, triggerRun, waitForRun } from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';

const START = '2026-01-01T00:00:00Z';
const RETRIES = { retries: 2, retryDelayMs: 20 };

const permanent = defineDag({
  id: 'permanent',
  schedule: null,
  startDate: START,
  tasks: {
    gate: task(
      async (): Promise<null> => {
        throw new PermanentTaskError('the ledger must be fixed by hand');
      },
      { retries: 3, retryDelayMs: 20 },
    ),
  },
});

const wareflowError = defineDag({
  id: 'wareflow_error',
  schedule: null,
  startDate: START,
  tasks: {
    flaky: task(async (ctx) => {
      if (ctx.tryNumber < 2) throw new WareflowError(`not yet on try ${ctx.tryNumber}`);
      return { tries: ctx.tryNumber };
    }, RETRIES),
  },
});

const plainError = defineDag({
  id: 'plain_error',
  schedule: null,
  startDate: START,
  tasks: {
    broken: task(async (): Promise<null> => {
      throw new Error('always broken');
    }, RETRIES),
  },
});

describe('the retry rule of a failed try', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([permanent, wareflowError, plainError]);
    h.startWorker();
  });
  after(async () => h?.close());

  async function onlyTask(dagId: string) {
    const run = await triggerRun(h.engine, dagId);
    const done = await waitForRun(h.engine, run.id, { pollMs: 20 });
    return { state: done.state, ti: (await getRun(h.engine, run.id))!.task_instances[0]! };
  }

  it('fails a task that throws PermanentTaskError after one try, with retries left', async () => {
    const { state, ti } = await onlyTask('permanent');
    expect(state).to.equal('failed');
    expect(ti).to.include({ state: 'failed', try_number: 1, max_tries: 4 });
    expect(ti.error).to.equal('the ledger must be fixed by hand');
  });

  it('retries a task that throws a plain WareflowError while retries are configured', async () => {
    const { state, ti } = await onlyTask('wareflow_error');
    expect(state).to.equal('success');
    expect(ti).to.include({ state: 'success', try_number: 2 });
    expect(ti.output).to.deep.equal({ tries: 2 });
  });

  it('retries a task that throws a plain Error until its tries are used up', async () => {
    const { state, ti } = await onlyTask('plain_error');
    expect(state).to.equal('failed');
    expect(ti).to.include({ state: 'failed', try_number: 3, max_tries: 3, error: 'always broken' });
  });
});
