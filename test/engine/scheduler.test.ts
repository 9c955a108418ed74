import { expect } from 'chai';
import { createLogger, createRedis } from '../../platform/index.js';
import {
  createEngine,
  createScheduler,
  defineDag,
  markTask,
  setPaused,
  task,
  type Dag,
} from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';
import { TEST_REDIS_URL } from '../support/isolation.js';

/** A clock the test moves by hand. */
function frozenClock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (to: string) => (now = new Date(to)) };
}

const daily = (id: string, extra: Partial<Parameters<typeof defineDag>[0]> = {}): Dag =>
  defineDag({
    id,
    schedule: '0 2 * * *',
    startDate: '2026-01-01T00:00:00Z',
    tasks: { only: task(async () => null) },
    ...extra,
  });

async function logicalDates(h: Harness, dagId: string): Promise<string[]> {
  const rows = await h.db
    .knex('orchestrator.dag_runs')
    .where('dag_id', dagId)
    .orderBy('logical_date')
    .select('logical_date');
  return rows.map((r: { logical_date: Date }) => r.logical_date.toISOString());
}

describe('scheduler', () => {
  const clock = frozenClock('2026-01-11T03:00:00Z');
  let h: Harness;
  const dags = [
    daily('catchup_all', { catchup: true, maxActiveRuns: 100 }),
    daily('catchup_bounded', { catchup: true, maxActiveRuns: 3 }),
    daily('latest_only', { catchup: false }),
    daily('with_sla', { slaMs: 3600_000, startDate: '2026-01-10T00:00:00Z' }),
  ];
  before(async () => {
    h = await startHarness(dags, { now: clock.now });
  });
  after(async () => h?.close());

  it('creates a run for every missed interval with catchup, each once, logical date = interval start', async () => {
    const scheduler = createScheduler(h.engine);
    await scheduler.tick();
    await scheduler.tick();
    const dates = await logicalDates(h, 'catchup_all');
    expect(dates).to.have.length(10);
    expect(dates[0]).to.equal('2026-01-01T02:00:00.000Z');
    expect(dates[9]).to.equal('2026-01-10T02:00:00.000Z'); // its interval ended at 2026-01-11 02:00
    const run = await h.db
      .knex('orchestrator.dag_runs')
      .where({ dag_id: 'catchup_all' })
      .orderBy('logical_date')
      .first();
    expect(run.data_interval_end.toISOString()).to.equal('2026-01-02T02:00:00.000Z');
    expect(run.run_type).to.equal('scheduled');
  });

  it('never has more than max_active_runs running, and continues when runs finish', async () => {
    const scheduler = createScheduler(h.engine);
    await scheduler.tick();
    expect(await logicalDates(h, 'catchup_bounded')).to.have.length(3);
    await scheduler.tick();
    expect(await logicalDates(h, 'catchup_bounded')).to.have.length(3);
    const running = await h.db
      .knex('orchestrator.dag_runs')
      .where({ dag_id: 'catchup_bounded', state: 'running' });
    for (const r of running) await markTask(h.engine, r.id, 'only', 'success');
    await scheduler.tick();
    const dates = await logicalDates(h, 'catchup_bounded');
    expect(dates).to.have.length(6);
    expect(dates[5]).to.equal('2026-01-06T02:00:00.000Z'); // no gap, no double
  });

  it('creates only the latest interval without catchup, and none of the missed ones on unpause', async () => {
    const scheduler = createScheduler(h.engine);
    await scheduler.tick();
    expect(await logicalDates(h, 'latest_only')).to.deep.equal(['2026-01-10T02:00:00.000Z']);
    await setPaused(h.engine, 'latest_only', true);
    clock.set('2026-01-20T03:00:00Z');
    await scheduler.tick();
    expect(await logicalDates(h, 'latest_only')).to.have.length(1);
    await setPaused(h.engine, 'latest_only', false);
    await scheduler.tick();
    await scheduler.tick();
    expect(await logicalDates(h, 'latest_only')).to.deep.equal([
      '2026-01-10T02:00:00.000Z',
      '2026-01-19T02:00:00.000Z',
    ]);
  });

  it('e-mails an SLA miss once for a run not done in time', async () => {
    const scheduler = createScheduler(h.engine);
    clock.set('2026-01-20T03:00:00Z');
    await scheduler.tick();
    const before = h.mail.sent.filter((m) => m.subject.includes('SLA missed: with_sla')).length;
    // The 2026-01-10 run missed (deadline 01-11 03:00); the 2026-01-19 one is due by 01-20 03:00 exactly.
    expect(before).to.equal(1);
    clock.set('2026-01-20T03:30:00Z');
    await scheduler.tick();
    await scheduler.tick();
    const misses = h.mail.sent.filter((m) => m.subject.includes('SLA missed: with_sla'));
    expect(misses).to.have.length(2);
  });

  it('creates exactly one run per interval when two schedulers race', async () => {
    const racer = defineDag({
      id: 'racer',
      schedule: '0 * * * *',
      startDate: '2026-01-19T00:00:00Z',
      catchup: true,
      maxActiveRuns: 1000,
      tasks: { only: task(async () => null) },
    });
    const redis = createRedis(TEST_REDIS_URL);
    const logger = createLogger({ level: 'silent' });
    const engines = [0, 1, 2].map(() =>
      createEngine({ knex: h.db.knex, redis, queuePrefix: h.prefix, dags: [racer], logger, now: clock.now }),
    );
    const schedulers = engines.map((e) => createScheduler(e, { maxRunsPerPass: 7 }));
    for (let round = 0; round < 6; round += 1) await Promise.all(schedulers.map((s) => s.tick()));
    const dates = await logicalDates(h, 'racer');
    expect(new Set(dates).size).to.equal(dates.length);
    // 2026-01-19 00:00 … 2026-01-20 02:00 have ended by 03:30: 27 hourly intervals.
    expect(dates).to.have.length(27);
    for (const e of engines) await e.close();
    await redis.quit();
  });
});
