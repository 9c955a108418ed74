import { expect } from 'chai';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testQueuePrefix } from '../support/isolation.js';

describe('wareflow dags/runs/tasks commands', function () {
  // Each case starts the CLI in its own process: a dozen of them on a busy machine exceed a minute.
  this.timeout(240_000);
  let db: TestDatabase;
  /** `wareflow …` against this file's database and queue prefix. */
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCli(args, { DATABASE_URL: db.url, QUEUE_PREFIX: testQueuePrefix(), LOG_LEVEL: 'silent', ...extraEnv });

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('exit 2 with one line on stderr for every bad argument', async () => {
    const cases = [
      ['dags', 'trigger', 'no_such_dag'],
      ['dags', 'trigger', 'daily_inventory_etl', '--conf', '{not json'],
      ['dags', 'backfill', 'daily_inventory_etl', '--from', '2026-02-30', '--to', '2026-03-01'],
      [
        'dags',
        'backfill',
        'daily_inventory_etl',
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-02',
        '--concurrency',
        '0',
      ],
      ['runs', 'clear', 'abc'],
      ['tasks', 'test', 'daily_inventory_etl', 'no_such_task', '2026-01-01'],
    ];
    // Two at a time: each command loads the whole CLI, and the machine has two cores.
    const results: Array<Awaited<ReturnType<typeof run>>> = [];
    for (let i = 0; i < cases.length; i += 2)
      results.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => run(c)))));
    results.forEach((r, i) => {
      const what = cases[i]!.join(' ');
      expect(r.code, `${what}: ${r.stderr}`).to.equal(2);
      expect(r.stderr.trim().split('\n'), what).to.have.length(1);
      expect(r.stdout, what).to.equal('');
    });
  });

  it('print one JSON document for dags list --json, with dag_id and schedule', async () => {
    const r = await run(['dags', 'list', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const list = JSON.parse(r.stdout) as Array<{
      dag_id: string;
      schedule: string;
      wait_for_assets: string[];
      runs: Record<string, number>;
    }>;
    expect(list.find((d) => d.dag_id === 'daily_inventory_etl')?.schedule).to.equal('0 2 * * *');
    const weekly = list.find((d) => d.dag_id === 'weekly_summary')!;
    expect(weekly.wait_for_assets).to.deep.equal(['warehouse.daily_inventory_snapshots']);
    expect(weekly.runs).to.have.all.keys('running', 'success', 'failed', 'cancelled');
  });

  it('show in the dags list table what a DAG runs on and its runs by state', async () => {
    const r = await run(['dags', 'list']);
    expect(r.code, r.stderr).to.equal(0);
    const weekly = r.stdout.split('\n').find((l) => l.startsWith('weekly_summary'))!;
    expect(weekly).to.contain('0 1 * * 1; after warehouse.daily_inventory_snapshots');
    expect(r.stdout).to.contain('runs ✓/✗/⊘/▶');
  });

  it('list the DAGs from their definitions, with a one-line note, when the database does not exist yet', async () => {
    const missing = new URL(db.url);
    missing.pathname = `${missing.pathname}_never_created`;
    const r = await run(['dags', 'list', '--json'], { DATABASE_URL: missing.toString() });
    expect(r.code, r.stderr).to.equal(0);
    const list = JSON.parse(r.stdout) as Array<{ dag_id: string; last_run: unknown }>;
    expect(list.map((d) => d.dag_id)).to.include.members([
      'daily_inventory_etl',
      'hourly_transaction_aggregation',
    ]);
    expect(list.every((d) => d.last_run === null)).to.equal(true);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/does not exist.*wareflow db migrate/);
  });

  it('exit 2 with one line for tasks test of a mapped task without --map-item, or --map-item on one not mapped', async () => {
    const results = await Promise.all([
      run(['tasks', 'test', 'daily_inventory_etl', 'transform_warehouse', '2026-01-01']),
      run(['tasks', 'test', 'daily_inventory_etl', 'list_warehouses', '2026-01-01', '--map-item', '"WH-1"']),
    ]);
    expect(results.map((r) => [r.code, r.stderr.trim()])).to.deep.equal([
      [
        2,
        "wareflow: task 'transform_warehouse' is mapped over 'list_warehouses': give the element to run it for with --map-item JSON",
      ],
      [2, "wareflow: task 'list_warehouses' is not mapped: --map-item does not apply"],
    ]);
  });

  it('test one instance of a mapped task with the element given by --map-item', async () => {
    const r = await run([
      'tasks',
      'test',
      'daily_inventory_etl',
      'transform_warehouse',
      '2026-01-01',
      '--map-item',
      '"WH-9"',
      '--json',
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { state: string; output: Record<string, unknown> };
    expect(doc.state).to.equal('success');
    expect(doc.output).to.include({ day: '2026-01-01', warehouse_id: 'WH-9', pairs: 0 });
  });

  it('list the intervals of a backfill dry run without creating runs', async () => {
    const r = await run([
      'dags',
      'backfill',
      'daily_inventory_etl',
      '--from',
      '2026-01-01',
      '--to',
      '2026-01-03',
      '--dry-run',
      '--json',
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { intervals: Array<{ start: string; end: string }> };
    expect(doc.intervals.map((i) => i.start)).to.deep.equal([
      '2026-01-01T02:00:00.000Z',
      '2026-01-02T02:00:00.000Z',
      '2026-01-03T02:00:00.000Z',
    ]);
    expect(await db.knex('orchestrator.dag_runs').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it("print a task's log try by try, the engine's events included, and its output with runs show --task", async () => {
    const [{ id: runId }] = await db
      .knex('orchestrator.dag_runs')
      .insert({
        dag_id: 'daily_inventory_etl',
        run_type: 'manual',
        logical_date: new Date('2026-03-01T02:00:00Z'),
        data_interval_start: new Date('2026-03-01T02:00:00Z'),
        data_interval_end: new Date('2026-03-02T02:00:00Z'),
        state: 'success',
      })
      .returning('id');
    await db.knex('orchestrator.task_instances').insert({
      run_id: runId,
      task_id: 'snapshot',
      dag_id: 'daily_inventory_etl',
      state: 'success',
      pool: 'default',
      try_number: 2,
      max_tries: 3,
      output: JSON.stringify({ pairs: 150 }),
    });
    const line = (try_number: number, source: string, message: string, fields: object = {}) => ({
      run_id: runId,
      task_id: 'snapshot',
      try_number,
      level: 'info',
      message,
      fields: JSON.stringify(fields),
      source,
    });
    await db
      .knex('orchestrator.task_logs')
      .insert([
        line(1, 'engine', 'started on worker w-1', { event: 'started' }),
        line(1, 'engine', 'retried: connection reset (next try in 1000 ms)', { event: 'retried' }),
        line(2, 'engine', 'started on worker w-2', { event: 'started' }),
        line(2, 'task', 'snapshots written', { rows: 150 }),
        line(2, 'engine', 'succeeded in 114 ms', { event: 'succeeded' }),
      ]);
    const r = await run(['runs', 'show', String(runId), '--task', 'snapshot']);
    expect(r.code, r.stderr).to.equal(0);
    const out = r.stdout.split('\n');
    const at = (text: string) => out.findIndex((l) => l.includes(text));
    expect(at('-- try 1 (retried) --')).to.be.above(0);
    expect(at('[engine] retried: connection reset (next try in 1000 ms)')).to.be.above(at('-- try 1'));
    expect(at('-- try 2 (success) --')).to.be.above(at('retried: connection reset'));
    expect(out[at('snapshots written')]).to.match(/INFO +snapshots written {2}rows=150$/);
    expect(at('[engine] succeeded in 114 ms')).to.be.above(at('snapshots written'));
    expect(out[at('output:')]).to.equal('output: {"pairs":150}');
  });
});
