import { expect } from 'chai';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testQueuePrefix } from '../support/isolation.js';

describe('wareflow dags/runs/tasks commands', () => {
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
    const list = JSON.parse(r.stdout) as Array<{ dag_id: string; schedule: string }>;
    expect(list.find((d) => d.dag_id === 'daily_inventory_etl')?.schedule).to.equal('0 2 * * *');
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
});
