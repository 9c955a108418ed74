import { expect } from 'chai';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testQueuePrefix } from '../support/isolation.js';

describe('wareflow runs cancel and backfills cancel', function () {
  // Each command is a process loading the whole CLI; on a busy machine that takes seconds.
  this.timeout(240_000);
  let db: TestDatabase;
  const prefix = testQueuePrefix();
  const run = (args: string[]) =>
    runCli(args, { DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', USER: 'ops' });
  const oneLine = (r: { stderr: string; stdout: string }) => {
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stdout).to.equal('');
  };

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('cancels a run (no worker: its tasks are queued or waiting), then says once, exit 1, that it has ended', async () => {
    const triggered = await run(['dags', 'trigger', 'daily_inventory_etl', '--json']);
    expect(triggered.code, triggered.stderr).to.equal(0);
    const runId = (JSON.parse(triggered.stdout) as { id: number }).id;

    const cancelled = await run(['runs', 'cancel', String(runId), '--reason', 'bad source file', '--json']);
    expect(cancelled.code, cancelled.stderr).to.equal(0);
    const doc = JSON.parse(cancelled.stdout) as {
      run_id: number;
      run_state: string;
      cancelled: Array<{ task_id: string; previous_state: string }>;
    };
    expect(doc).to.include({ run_id: runId, run_state: 'cancelled' });
    expect(doc.cancelled.length).to.be.greaterThan(0);
    const row = await db.knex('orchestrator.dag_runs').where({ id: runId }).first();
    expect(row).to.include({ state: 'cancelled', cancelled_by: 'cli:ops', cancel_reason: 'bad source file' });

    const again = await run(['runs', 'cancel', String(runId)]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.equal(
      `wareflow: run ${runId} has already ended (cancelled): nothing to cancel\n`,
    );
    expect(again.stdout).to.equal('');

    const listed = await run(['runs', 'list', '--state', 'cancelled', '--json']);
    expect((JSON.parse(listed.stdout) as Array<{ id: number }>).map((r) => r.id)).to.deep.equal([runId]);
  });

  it('exit 2 with one line for a bad or unknown id, an unknown task or an empty reason', async () => {
    const triggered = await run(['dags', 'trigger', 'daily_inventory_etl', '--json']);
    const runId = String((JSON.parse(triggered.stdout) as { id: number }).id);
    const cases = [
      ['runs', 'cancel', 'abc'],
      ['runs', 'cancel', '999999'],
      ['runs', 'cancel', runId, '--task', 'no_such_task'],
      ['runs', 'cancel', runId, '--reason', ' '],
      ['backfills', 'cancel', 'x'],
      ['backfills', 'cancel', '999999'],
    ];
    for (let i = 0; i < cases.length; i += 2) {
      const results = await Promise.all(cases.slice(i, i + 2).map((c) => run(c)));
      results.forEach((r, j) => {
        const what = cases[i + j]!.join(' ');
        expect(r.code, `${what}: ${r.stderr}`).to.equal(2);
        oneLine(r);
      });
    }
  });

  it('cancels a running backfill once; its state is cancelled and a second cancel exits 1', async () => {
    const [{ id }] = await db
      .knex('orchestrator.backfills')
      .insert({
        dag_id: 'daily_inventory_etl',
        from_date: new Date('2026-01-01T00:00:00Z'),
        to_date: new Date('2026-01-03T00:00:00Z'),
        concurrency: 2,
        total: 3,
      })
      .returning('id');
    const r = await run(['backfills', 'cancel', String(id), '--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      backfill_id: Number(id),
      state: 'cancelled',
      cancelled_runs: [],
      left_running: [],
    });
    const again = await run(['backfills', 'cancel', String(id)]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.equal(
      `wareflow: backfill ${id} has already ended (cancelled): nothing to cancel\n`,
    );
  });
});
