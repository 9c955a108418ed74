import { expect } from 'chai';
import { defineDag, task, triggerRun, waitForRun } from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';

const pair = defineDag({
  id: 'log_pair',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    a: task(async (ctx) => {
      ctx.log.info('a ran');
      return null;
    }),
    b: task(async () => null, { upstream: ['a'] }),
  },
});

describe('the log lines of a run', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness([pair]);
    h.startWorker();
  });
  after(async () => h?.close());

  const linesOf = async (runIds: number[]) => {
    const { rows } = await h.db.knex.raw(
      'SELECT run_id, count(*)::int AS n FROM orchestrator.task_logs WHERE run_id = ANY(?::bigint[]) GROUP BY run_id',
      [runIds],
    );
    return new Map((rows as Array<{ run_id: number; n: number }>).map((r) => [Number(r.run_id), r.n]));
  };

  it('go with the run when it is deleted, and the lines of other runs stay', async () => {
    const kept = await triggerRun(h.engine, 'log_pair');
    const gone = await triggerRun(h.engine, 'log_pair');
    for (const run of [kept, gone]) expect((await waitForRun(h.engine, run.id)).state).to.equal('success');
    const before = await linesOf([kept.id, gone.id]);
    // queued, started and succeeded for each task, and a's own line
    expect(before.get(kept.id)).to.equal(7);
    expect(before.get(gone.id)).to.equal(7);

    await h.db.knex.raw('DELETE FROM orchestrator.dag_runs WHERE id = ?', [gone.id]);

    const after = await linesOf([kept.id, gone.id]);
    expect(after.get(kept.id)).to.equal(7);
    expect(after.has(gone.id)).to.equal(false);
  });
});
