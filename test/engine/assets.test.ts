import { expect } from 'chai';
import { createLogger, createRedis } from '../../platform/index.js';
import {
  asset,
  createEngine,
  createScheduler,
  DagDefinitionError,
  defineDag,
  listAssets,
  partitionKey,
  partitionsCovering,
  PermanentTaskError,
  task,
  triggerRun,
  waitForRun,
  type TaskContext,
} from '../../engine/index.js';
import { startHarness, type Harness } from './harness.js';
import { TEST_REDIS_URL } from '../support/isolation.js';

const metrics = asset('test.metrics', { partition: 'daily', description: 'metrics per day' });
const snapshots = asset('test.snapshots', { partition: 'daily' });
const broken = asset('test.broken', { partition: 'daily' });

/** Writes `test.metrics` (counting its rows) and `test.snapshots` for the day its interval starts on. */
const producer = defineDag({
  id: 'producer',
  schedule: null,
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    write_metrics: task(async () => ({ rows: 42 }), { outlets: [{ asset: metrics, rowsFrom: 'rows' }] }),
    write_snapshots: task(async () => null, { outlets: [snapshots] }),
    fail: task(
      async () => {
        throw new PermanentTaskError('no data');
      },
      { outlets: [broken] },
    ),
  },
});

const seen: Array<{ runId: number; events: string[]; start: string; end: string }> = [];
const consumer = defineDag({
  id: 'consumer',
  schedule: null,
  onAssets: [metrics],
  startDate: '2026-01-01T00:00:00Z',
  tasks: {
    read: task(
      async (ctx: TaskContext) => {
        const events = await ctx.triggeringAssetEvents();
        seen.push({
          runId: ctx.runId,
          events: events.map((e) => `${e.assetKey}/${e.partitionKey}@${e.sourceDagId}`),
          start: ctx.dataIntervalStart.toISOString(),
          end: ctx.dataIntervalEnd.toISOString(),
        });
        return events.length;
      },
      { inlets: [metrics] },
    ),
  },
});

/** Monday 01:00, reporting the week its interval starts in: waits for that week's seven snapshots. */
const weekly = defineDag({
  id: 'weekly',
  schedule: '0 1 * * 1',
  waitForAssets: [snapshots],
  startDate: '2026-01-05T00:00:00Z',
  tasks: { report: task(async () => null, { inlets: [snapshots] }) },
});

async function produce(h: Harness, day: string): Promise<number> {
  const run = await triggerRun(h.engine, 'producer', { logicalDate: new Date(`${day}T00:00:00Z`) });
  await waitForRun(h.engine, run.id, { pollMs: 50 });
  return run.id;
}

async function runsOf(h: Harness, dagId: string) {
  return h.db.knex('orchestrator.dag_runs').where({ dag_id: dagId }).orderBy('id');
}

describe('assets', () => {
  let now = new Date('2026-01-12T00:30:00Z');
  let h: Harness;
  before(async () => {
    h = await startHarness([producer, consumer, weekly], { now: () => now });
    h.startWorker();
  });
  after(async () => h?.close());

  it('partition keys: the UTC day or ISO week the interval starts in; a week run reads its seven days', () => {
    expect(partitionKey('daily', new Date('2026-01-04T02:00:00Z'))).to.equal('2026-01-04');
    expect(partitionKey('weekly', new Date('2026-01-04T02:00:00Z'))).to.equal('2026-W01');
    expect(partitionKey('weekly', new Date('2027-01-01T00:00:00Z'))).to.equal('2026-W53');
    expect(partitionKey(null, new Date())).to.equal('');
    const week = { start: new Date('2026-01-05T01:00:00Z'), end: new Date('2026-01-12T01:00:00Z') };
    expect(partitionsCovering('daily', week)).to.deep.equal([
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
      '2026-01-09',
      '2026-01-10',
      '2026-01-11',
    ]);
    const day = { start: new Date('2026-01-11T02:00:00Z'), end: new Date('2026-01-12T02:00:00Z') };
    expect(partitionsCovering('daily', day)).to.deep.equal(['2026-01-11']);
    const sixHours = { start: new Date('2026-01-11T06:00:00Z'), end: new Date('2026-01-11T12:00:00Z') };
    expect(partitionsCovering('daily', sixHours)).to.deep.equal(['2026-01-11']);
  });

  it('rejects waitForAssets without a cron schedule, and one key declared with two partitionings', () => {
    const t = task(async () => null);
    expect(() =>
      defineDag({ id: 'x', schedule: null, waitForAssets: [metrics], startDate: '2026-01-01', tasks: { t } }),
    ).to.throw(DagDefinitionError, /waitForAssets gates cron runs/);
    expect(() =>
      defineDag({
        id: 'y',
        schedule: null,
        onAssets: [asset('test.metrics')],
        startDate: '2026-01-01',
        tasks: { t: task(async () => null, { outlets: [metrics] }) },
      }),
    ).to.throw(
      DagDefinitionError,
      /'test.metrics' is declared both (daily|unpartitioned) and (daily|unpartitioned)/,
    );
  });

  it('records an event per outlet of a task that succeeds, with the run, task, try and rows; none on failure', async () => {
    const runId = await produce(h, '2026-01-05');
    const events = await h.db.knex('orchestrator.asset_events').where({ run_id: runId }).orderBy('asset_key');
    expect(
      events.map((e) => [e.asset_key, e.partition_key, e.dag_id, e.task_id, e.try_number, e.rows]),
    ).to.deep.equal([
      ['test.metrics', '2026-01-05', 'producer', 'write_metrics', 1, 42],
      ['test.snapshots', '2026-01-05', 'producer', 'write_snapshots', 1, null],
    ]);
    expect(await h.db.knex('orchestrator.asset_events').where({ asset_key: 'test.broken' })).to.have.length(
      0,
    );
  });

  it('queues one asset-triggered run for two partitions that land at once; it sees both events', async () => {
    // 2026-01-05's event is still unconsumed: with 01-06 that makes two partitions before a pass.
    await produce(h, '2026-01-06');
    const scheduler = createScheduler(h.engine);
    await scheduler.tick();
    await scheduler.tick();
    const runs = await runsOf(h, 'consumer');
    expect(runs).to.have.length(1);
    expect(runs[0].run_type).to.equal('asset_triggered');
    await waitForRun(h.engine, runs[0].id, { pollMs: 50 });
    const saw = seen.find((s) => s.runId === Number(runs[0].id))!;
    expect(saw.events).to.deep.equal([
      'test.metrics/2026-01-05@producer',
      'test.metrics/2026-01-06@producer',
    ]);
    // Its interval spans the intervals of the runs that wrote them.
    expect(saw.start).to.equal('2026-01-05T00:00:00.000Z');
    expect(saw.end).to.equal('2026-01-06T00:00:00.000Z');
    const [newest] = await h.db
      .knex('orchestrator.asset_events')
      .where({ asset_key: 'test.metrics' })
      .max('created_at as at');
    expect(runs[0].logical_date.getTime()).to.equal(newest!.at.getTime());
    await scheduler.tick();
    expect(await runsOf(h, 'consumer')).to.have.length(1);
  });

  it('creates an asset-triggered run once when schedulers race', async () => {
    await produce(h, '2026-01-07');
    const redis = createRedis(TEST_REDIS_URL);
    const logger = createLogger({ level: 'silent' });
    const engines = [0, 1, 2].map(() =>
      createEngine({
        knex: h.db.knex,
        redis,
        queuePrefix: h.prefix,
        dags: [consumer],
        logger,
        now: () => now,
      }),
    );
    const schedulers = engines.map((e) => createScheduler(e));
    for (let round = 0; round < 3; round += 1) await Promise.all(schedulers.map((s) => s.tick()));
    const runs = await runsOf(h, 'consumer');
    expect(runs).to.have.length(2);
    const consumed = await h.db.knex('orchestrator.asset_triggers').where({ run_id: runs[1].id });
    expect(consumed).to.have.length(1);
    for (const e of engines) await e.close();
    await redis.quit();
    await waitForRun(h.engine, runs[1].id, { pollMs: 50 });
  });

  it('creates a waitForAssets cron run only once every partition its interval covers exists', async () => {
    // Monday 2026-01-12 01:00 ends the interval of the week of 2026-01-05, whose snapshots
    // 01-05 … 01-07 exist; 01-08 … 01-11 do not.
    now = new Date('2026-01-12T01:00:05Z');
    const scheduler = createScheduler(h.engine);
    await scheduler.tick();
    expect(await runsOf(h, 'weekly')).to.have.length(0);
    for (const day of ['2026-01-08', '2026-01-09', '2026-01-10']) await produce(h, day);
    await scheduler.tick();
    expect(await runsOf(h, 'weekly')).to.have.length(0);
    await produce(h, '2026-01-11'); // the Sunday
    await scheduler.tick();
    const runs = await runsOf(h, 'weekly');
    expect(runs.map((r) => r.logical_date.toISOString())).to.deep.equal(['2026-01-05T01:00:00.000Z']);
    expect(runs[0].run_type).to.equal('scheduled');
  });

  it('records declarations for the lineage: outlets, inlets, triggers and gates', async () => {
    const rows = await h.db
      .knex('orchestrator.asset_declarations')
      .where({ asset_key: 'test.snapshots' })
      .orderBy(['dag_id', 'role']);
    expect(rows.map((r) => `${r.dag_id}.${r.task_id}:${r.role}`)).to.deep.equal([
      'producer.write_snapshots:outlet',
      'weekly.report:inlet',
      'weekly.:wait_for',
    ]);
    const asset = await h.db.knex('orchestrator.assets').where({ asset_key: 'test.metrics' }).first();
    expect(asset).to.include({ partitioning: 'daily', description: 'metrics per day' });
  });
  it('lists the newest partition apart from the last one written (a backfill writes older days after newer)', async () => {
    const runId = await produce(h, '2026-01-01');
    const listed = (await listAssets(h.engine)).find((a) => a.asset_key === 'test.metrics');
    expect(listed).to.include({
      newest_partition: '2026-01-11',
      latest_partition: '2026-01-01',
      latest_run_id: runId,
    });
  });
});
