import { expect } from 'chai';
import { advanceBackfill, startBackfill, triggerRun, type BackfillRow } from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';
import { backfillDag } from './fixtures-backfill.js';

const day = (d: string) => new Date(`${d}T00:00:00Z`);
const at2 = (d: string) => new Date(`${d}T02:00:00Z`);

/** Ends runs as a worker would have (no worker runs here: each step is looked at on its own). */
async function endRuns(h: Harness, ids: number[], state: 'success' | 'failed') {
  await h.db.knex('orchestrator.dag_runs').whereIn('id', ids).update({ state, ended_at: new Date() });
}

async function backfillRow(h: Harness, id: number): Promise<BackfillRow> {
  return h.db.knex('orchestrator.backfills').where('id', id).first();
}

async function runsOf(h: Harness, backfillId: number) {
  return h.db
    .knex('orchestrator.dag_runs')
    .where('backfill_id', backfillId)
    .orderBy('logical_date')
    .select('id', 'logical_date', 'state', 'priority');
}

describe('backfill steps', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness([backfillDag], { now: () => new Date('2026-06-01T00:00:00Z') });
  });
  afterEach(async () => h?.close());

  it('steps a long range from where it stands: each step starts runs for the next intervals only', async () => {
    const b = await startBackfill(h.engine, backfillDag.id, {
      from: day('2025-01-01'),
      to: new Date('2026-05-30T23:59:59Z'),
      concurrency: 2,
    });
    expect(b.total).to.equal(515);
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({ running: 2, done: 0 });
    let runs = await runsOf(h, b.id);
    expect(runs.map((r) => r.logical_date)).to.deep.equal([at2('2025-01-01'), at2('2025-01-02')]);
    expect(runs.every((r) => r.priority === -1)).to.equal(true);
    expect((await backfillRow(h, b.id))?.next_start).to.deep.equal(at2('2025-01-03'));

    // Nothing ended: a step starts nothing and looks at no interval.
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({ running: 2 });
    expect(await runsOf(h, b.id)).to.have.length(2);

    await endRuns(h, [runs[0]!.id], 'success');
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({
      running: 2,
      succeeded: 1,
      done: 1,
    });
    runs = await runsOf(h, b.id);
    expect(runs.map((r) => r.logical_date)).to.deep.equal([
      at2('2025-01-01'),
      at2('2025-01-02'),
      at2('2025-01-03'),
    ]);
  });

  it('waits for an interval another run is working on, then skips it if that run succeeded', async () => {
    const other = await triggerRun(h.engine, backfillDag.id, { logicalDate: at2('2025-03-01') });
    const b = await startBackfill(h.engine, backfillDag.id, {
      from: day('2025-03-01'),
      to: new Date('2025-03-03T23:59:59Z'),
      concurrency: 4,
    });
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({ running: 2 });
    expect((await backfillRow(h, b.id))?.waiting).to.deep.equal([at2('2025-03-01')]);
    await endRuns(
      h,
      (await runsOf(h, b.id)).map((r) => r.id),
      'success',
    );
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({ state: 'running', succeeded: 2 });

    await endRuns(h, [other.id], 'success');
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({
      state: 'success',
      succeeded: 2,
      skipped: 1,
      done: 3,
    });
  });

  it('reruns, in the backfill and at its priority, an interval whose other run failed meanwhile', async () => {
    const other = await triggerRun(h.engine, backfillDag.id, { logicalDate: at2('2025-03-01') });
    const b = await startBackfill(h.engine, backfillDag.id, {
      from: day('2025-03-01'),
      to: new Date('2025-03-01T23:59:59Z'),
      priority: -5,
    });
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({ running: 0, state: 'running' });
    await endRuns(h, [other.id], 'failed');
    expect(await advanceBackfill(h.engine, backfillDag, b.id)).to.include({ running: 1 });
    const [adopted] = await runsOf(h, b.id);
    expect(adopted).to.include({ id: other.id, state: 'running', priority: -5 });
  });
});
