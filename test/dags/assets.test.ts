import { expect } from 'chai';
import { dags, weeklySummary, dailyInventoryEtl } from '../../dags/index.js';
import {
  createScheduler,
  latestEndedInterval,
  setPaused,
  triggerRun,
  waitForRun,
  type Scheduler,
} from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { addDays, at, seedRandomHistory } from './fixtures.js';
import { createTestServices, startSmtpServer, type TestServices } from './harness.js';

/** The last Sunday before yesterday: its week (Monday … Sunday) is complete in the seeded history. */
function lastFullWeekSunday(): string {
  const d = new Date(Date.now() - 2 * 86_400_000);
  d.setUTCDate(d.getUTCDate() - d.getUTCDay());
  return d.toISOString().slice(0, 10);
}

const SUNDAY = lastFullWeekSunday();
const MONDAY = addDays(SUNDAY, -6);
const NEXT_MONDAY = addDays(SUNDAY, 1);

describe('assets of the inventory DAGs: the weekly summary waits for its week, low-stock follows the ETL', () => {
  let now = at(NEXT_MONDAY, 1 + 5 / 3600); // Monday 01:00:05, when the weekly cron fires
  let h: Harness;
  let env: TestServices;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let scheduler: Scheduler;

  before(async () => {
    h = await startHarness([...dags], { now: () => now });
    smtp = await startSmtpServer();
    env = await createTestServices({ databaseUrl: h.db.url, smtpUrl: smtp.url });
    await seedRandomHistory(h.db.knex, { skus: 12, warehouses: 2, days: 30, lastDay: SUNDAY, seed: 7 });
    for (const id of ['hourly_transaction_aggregation', 'data_quality']) await setPaused(h.engine, id, true);
    h.startWorker({ services: { inventory: env.services } });
    scheduler = createScheduler(h.engine);
  });
  after(async () => {
    await env?.close();
    await smtp?.close();
    await h?.close();
  });

  const runsOf = (dagId: string) => h.db.knex('orchestrator.dag_runs').where({ dag_id: dagId }).orderBy('id');
  const snapshotsOf = (day: string) =>
    h.db.knex('analytics.daily_inventory_snapshots').where({ snapshot_date: day });

  async function settle(dagId: string): Promise<void> {
    for (const r of await runsOf(dagId)) await waitForRun(h.engine, r.id, { pollMs: 50 });
  }

  it('on cron alone, Monday 01:00 reports a week whose Sunday snapshot the 02:00 ETL has not written', () => {
    const weekly = latestEndedInterval(
      { schedule: weeklySummary.schedule, timezone: 'UTC' },
      now,
      weeklySummary.startDate,
    )!;
    expect(weekly.start.toISOString()).to.equal(at(MONDAY, 1).toISOString()); // reports MONDAY … SUNDAY
    const etl = latestEndedInterval(
      { schedule: dailyInventoryEtl.schedule, timezone: 'UTC' },
      now,
      dailyInventoryEtl.startDate,
    )!;
    // The ETL's latest finished day is Saturday: Sunday's interval ends at Monday 02:00.
    expect(etl.start.toISOString()).to.equal(at(addDays(SUNDAY, -1), 2).toISOString());
    expect(weeklySummary.waitForAssets.map((a) => a.key)).to.deep.equal([
      'warehouse.daily_inventory_snapshots',
    ]);
  });

  it('creates no weekly run at Monday 01:00 while Sunday is missing, and one once the ETL wrote it', async () => {
    // Monday … Friday were processed earlier (as their nightly runs would have).
    for (let i = 0; i < 5; i += 1) {
      const run = await triggerRun(h.engine, 'daily_inventory_etl', {
        logicalDate: at(addDays(MONDAY, i + 1), 3),
      });
      expect((await waitForRun(h.engine, run.id, { pollMs: 50 })).state).to.equal('success');
    }
    await scheduler.tick(); // Monday 01:00:05: the ETL of Saturday is created, the weekly run is not
    await settle('daily_inventory_etl');
    await scheduler.tick();
    expect(await runsOf('weekly_summary')).to.have.length(0);
    expect(await snapshotsOf(SUNDAY)).to.have.length(0);
    expect(await snapshotsOf(addDays(SUNDAY, -1))).to.have.length(24);

    now = at(NEXT_MONDAY, 2 + 5 / 3600); // Monday 02:00:05: Sunday's ETL is due
    await scheduler.tick();
    await settle('daily_inventory_etl');
    expect(await snapshotsOf(SUNDAY)).to.have.length(24);
    await scheduler.tick();
    const weekly = await runsOf('weekly_summary');
    expect(weekly.map((r) => [r.run_type, r.logical_date.toISOString()])).to.deep.equal([
      ['scheduled', at(MONDAY, 1).toISOString()],
    ]);
    expect((await waitForRun(h.engine, weekly[0].id, { pollMs: 50 })).state).to.equal('success');
    const summary = await h.db.knex('analytics.weekly_summaries').first();
    expect(String(summary.week_start)).to.equal(MONDAY);
    const written = await h.db
      .knex('orchestrator.asset_events')
      .where({ asset_key: 'warehouse.weekly_summary', run_id: weekly[0].id });
    expect(written.map((e) => e.partition_key)).to.have.length(1);
  });

  it("queues low_stock_alerts on the day's processed metrics, as well as on its cron", async () => {
    await settle('low_stock_alerts');
    for (let i = 0; i < 20; i += 1) {
      await scheduler.tick();
      await settle('low_stock_alerts');
      const triggered = (await runsOf('low_stock_alerts')).filter((r) => r.run_type === 'asset_triggered');
      if (triggered.some((r) => r.data_interval_end.getTime() === at(NEXT_MONDAY, 2).getTime())) break;
    }
    const { rows } = await h.db.knex.raw(
      `SELECT r.run_type, e.partition_key, e.dag_id, e.task_id
         FROM orchestrator.dag_runs r
         JOIN orchestrator.asset_triggers t ON t.run_id = r.id
         JOIN orchestrator.asset_events e ON e.id = t.event_id
        WHERE r.dag_id = 'low_stock_alerts' ORDER BY e.partition_key`,
    );
    expect(rows.at(-1)).to.deep.equal({
      run_type: 'asset_triggered',
      partition_key: SUNDAY,
      dag_id: 'daily_inventory_etl',
      task_id: 'transform_and_load',
    });
    expect((await runsOf('low_stock_alerts')).every((r) => r.state === 'success')).to.equal(true);
  });
});
