import { expect } from 'chai';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testQueuePrefix } from '../support/isolation.js';

interface PoolJson {
  name: string;
  slots: number | null;
  description: string | null;
  occupied_slots: number;
  scheduled: number;
}

describe('wareflow pools', function () {
  // Each command loads the whole CLI: a few seconds apiece on a busy two-core machine.
  this.timeout(120_000);
  let db: TestDatabase;
  const run = (args: string[]) =>
    runCli(args, { DATABASE_URL: db.url, QUEUE_PREFIX: testQueuePrefix(), LOG_LEVEL: 'silent' });

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('lists the pools the DAGs name as one JSON document, unlimited until set', async () => {
    const r = await run(['pools', 'list', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const pools = JSON.parse(r.stdout) as PoolJson[];
    expect(pools.find((p) => p.name === 'default')).to.include({
      slots: null,
      occupied_slots: 0,
      scheduled: 0,
    });
  });

  it('sets slots and a description, records who did it in the audit log, and lifts the limit with unlimited', async () => {
    const set = await run(['pools', 'set', 'default', '4', '--description', 'shared workers', '--json']);
    expect(set.code, set.stderr).to.equal(0);
    expect(JSON.parse(set.stdout)).to.include({ name: 'default', slots: 4, previous: null, granted: 0 });
    const listed = JSON.parse((await run(['pools', 'list', '--json'])).stdout) as PoolJson[];
    expect(listed.find((p) => p.name === 'default')).to.include({ slots: 4, description: 'shared workers' });
    const entry = await db
      .knex('orchestrator.audit_log')
      .where({ action: 'pool.set', outcome: 'ok' })
      .orderBy('id', 'desc')
      .first();
    expect(entry.actor).to.match(/^cli:/);
    expect(entry.detail).to.include({ pool: 'default', slots: 4, previous: null });

    const lifted = await run(['pools', 'set', 'default', 'unlimited']);
    expect(lifted.code, lifted.stderr).to.equal(0);
    expect(lifted.stdout).to.match(/^pool default: 4 → unlimited slots/);
  });

  it('says why a task waits with runs show --task, in text and in JSON', async () => {
    expect((await run(['pools', 'set', 'default', '0'])).code).to.equal(0);
    const triggered = await run(['dags', 'trigger', 'hourly_transaction_aggregation', '--json']);
    expect(triggered.code, triggered.stderr).to.equal(0);
    const runId = String((JSON.parse(triggered.stdout) as { id: number }).id);
    const text = await run(['runs', 'show', runId, '--task', 'aggregate_transactions']);
    expect(text.stdout).to.contain('aggregate_transactions waiting: pool full (pool default: 0/0 slots)');
    const doc = await run(['runs', 'show', runId, '--task', 'load_aggregates', '--json']);
    const json = JSON.parse(doc.stdout);
    expect(json.waiting).to.deep.include({
      kind: 'upstream',
      reason: 'upstream',
      message: 'upstream: waiting for aggregate_transactions (scheduled) (trigger rule all_success)',
    });
    // The run's table and its JSON say the same, for every task instance.
    const listed = json.task_instances.find((t: { task_id: string }) => t.task_id === 'load_aggregates');
    expect(listed.waiting_reason).to.equal(json.waiting.message);
    expect(text.stdout).to.match(
      /aggregate_transactions\s+scheduled\s.*pool full \(pool default: 0\/0 slots\)/,
    );
    expect((await run(['pools', 'set', 'default', 'unlimited'])).code).to.equal(0);
  });

  it('exits 2 with one line on stderr for a bad slot count or an unknown pool, and changes nothing', async () => {
    const cases = [
      ['pools', 'set', 'default', '-1'],
      ['pools', 'set', 'default', 'many'],
      ['pools', 'set', 'no_such_pool', '3'],
      ['pools', 'set', 'default'],
    ];
    // Two at a time: the machine has two cores.
    const results: Array<Awaited<ReturnType<typeof run>>> = [];
    for (let i = 0; i < cases.length; i += 2)
      results.push(...(await Promise.all(cases.slice(i, i + 2).map((c) => run(c)))));
    for (const [i, args] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.stdout).to.equal('');
    }
    const listed = JSON.parse((await run(['pools', 'list', '--json'])).stdout) as PoolJson[];
    expect(listed.map((p) => p.name)).to.not.include('no_such_pool');
    expect(listed.find((p) => p.name === 'default')?.slots).to.equal(null);
  });
});
