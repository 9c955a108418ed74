import { expect } from 'chai';
import { dags } from '../../dags/index.js';
import { clearTasks, getRun, triggerRun, waitForRun } from '../../engine/index.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { addDays, at, seedRandomHistory } from './fixtures.js';
import { createTestServices, startSmtpServer, type TestServices } from './harness.js';

// The last complete day of the seeded history; every run below processes it.
const D = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** The logical time at which a trigger picks the interval we want (its latest ended interval). */
const TRIGGER_AT: Record<string, Date> = {
  daily_inventory_etl: at(addDays(D, 1), 3), // [D 02:00, D+1 02:00)
  hourly_transaction_aggregation: at(D, 15.5), // [D 14:00, D 15:00)
  low_stock_alerts: at(addDays(D, 1), 7), // [D+1 00:00, D+1 06:00)
  data_quality: at(D, 23.75), // [D 23:00, D 23:30)
};

describe('the five inventory DAGs through the engine and a worker', () => {
  let h: Harness;
  let env: TestServices;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  before(async () => {
    h = await startHarness([...dags]);
    smtp = await startSmtpServer();
    env = await createTestServices({ databaseUrl: h.db.url, smtpUrl: smtp.url });
    await seedRandomHistory(h.db.knex, { skus: 20, warehouses: 2, days: 40, lastDay: D, seed: 5 });
    h.startWorker({ services: { inventory: env.services } });
  });
  after(async () => {
    await env?.close();
    await smtp?.close();
    await h?.close();
  });

  async function runToSuccess(dagId: string, logicalDate: Date) {
    const run = await triggerRun(h.engine, dagId, { logicalDate });
    const done = await waitForRun(h.engine, run.id);
    const detail = await getRun(h.engine, run.id);
    const states = Object.fromEntries(detail!.task_instances.map((t) => [t.task_id, t.state]));
    expect(done.state, `${dagId}: ${JSON.stringify(states)}`).to.equal('success');
    return { runId: run.id, states };
  }

  it('lists the five DAGs of SPEC §6 with their schedules and tasks, then the supplier stock importer and the maintenance DAG', () => {
    expect(dags.map((d) => [d.id, d.schedule, d.timezone])).to.deep.equal([
      ['daily_inventory_etl', '0 2 * * *', 'UTC'],
      ['hourly_transaction_aggregation', '0 * * * *', 'UTC'],
      ['low_stock_alerts', '0 */6 * * *', 'UTC'],
      ['weekly_summary', '0 1 * * 1', 'UTC'],
      ['data_quality', '*/30 * * * *', 'UTC'],
      ['supplier_stock_import', '0 * * * *', 'UTC'],
      ['maintenance', '30 3 * * *', 'UTC'],
    ]);
    const edges = (id: string) =>
      dags
        .find((d) => d.id === id)!
        .tasks.flatMap((t) => (t.upstream.length ? t.upstream.map((u) => `${u}→${t.id}`) : [t.id]));
    expect(edges('daily_inventory_etl')).to.have.members([
      'extract_inventory_data',
      'extract_inventory_data→list_warehouses',
      'list_warehouses→transform_warehouse',
      'transform_warehouse→transform_and_load',
      'transform_and_load→generate_aggregated_metrics',
      'extract_inventory_data→data_quality_check',
      'load_fulfilment_metrics',
    ]);
    expect(edges('hourly_transaction_aggregation')).to.deep.equal([
      'aggregate_transactions',
      'aggregate_transactions→load_aggregates',
      'load_aggregates→update_velocity_and_trend',
    ]);
    expect(edges('low_stock_alerts')).to.deep.equal([
      'check_low_stock',
      'check_low_stock→send_notifications',
    ]);
    expect(edges('weekly_summary')).to.deep.equal([
      'aggregate_week',
      'aggregate_week→compute_weekly_metrics',
      'compute_weekly_metrics→build_report',
      'build_report→send_report',
    ]);
    expect(edges('data_quality')).to.have.members([
      'integrity',
      'business_rules',
      'completeness',
      'freshness',
      'consistency',
      ...['integrity', 'business_rules', 'completeness', 'freshness', 'consistency'].map(
        (g) => `${g}→report`,
      ),
    ]);
    expect(edges('supplier_stock_import')).to.deep.equal([
      'wait_for_stock_file',
      'wait_for_stock_file→load_supplier_stock',
    ]);
    expect(edges('maintenance')).to.deep.equal([
      'create_partitions',
      'create_partitions→archive_expired',
      'archive_expired→verify_archives',
      'verify_archives→drop_expired',
    ]);
  });

  it('runs daily_inventory_etl to success, and a cleared rerun leaves identical rows', async () => {
    const { runId } = await runToSuccess('daily_inventory_etl', TRIGGER_AT.daily_inventory_etl!);
    const metrics = () =>
      h.db.knex('analytics.processed_metrics').where({ as_of_date: D }).orderBy(['sku', 'warehouse_id']);
    const before = await metrics();
    expect(before).to.have.length(40);
    await clearTasks(h.engine, runId);
    expect((await waitForRun(h.engine, runId)).state).to.equal('success');
    expect(await metrics()).to.deep.equal(before);
  });

  it('runs hourly_transaction_aggregation to success with hour, day and week buckets', async () => {
    await runToSuccess('hourly_transaction_aggregation', TRIGGER_AT.hourly_transaction_aggregation!);
    const { rows: grains } = await h.db.knex.raw(
      'SELECT DISTINCT grain FROM analytics.transaction_aggregates ORDER BY grain',
    );
    expect(grains.map((g: { grain: string }) => g.grain)).to.deep.equal(['day', 'hour', 'week']);
  });

  it('runs low_stock_alerts to success and mails its digest when something is low', async () => {
    const { states } = await runToSuccess('low_stock_alerts', TRIGGER_AT.low_stock_alerts!);
    expect(states).to.deep.equal({ check_low_stock: 'success', send_notifications: 'success' });
    const alerts = await h.db.knex('analytics.alerts').where({ source: 'low_stock_alerts' });
    if (alerts.length > 0)
      expect(smtp.mails.some((m) => m.subject.startsWith('[wareflow] Low stock:'))).to.equal(true);
  });

  it('runs data_quality to success with every rule stored and a score', async () => {
    await runToSuccess('data_quality', TRIGGER_AT.data_quality!);
    const run = await h.db.knex('analytics.data_quality_runs').where({ dag_id: 'data_quality' }).first();
    expect(run.rules_checked).to.equal(17);
    expect(run.score).to.be.within(0, 100);
  });

  it('runs weekly_summary to success, stores the report and e-mails it', async () => {
    const monday = new Date(`${D}T00:00:00Z`);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) + 7);
    await runToSuccess('weekly_summary', new Date(monday.getTime() + 2 * 3_600_000)); // Monday 02:00 after D
    const rows = await h.db.knex('analytics.weekly_summaries');
    expect(rows).to.have.length(1);
    expect(rows[0].report_html).to.include('<svg');
    expect(smtp.mails.some((m) => m.subject.startsWith('[wareflow] Weekly inventory summary'))).to.equal(
      true,
    );
  });
});
