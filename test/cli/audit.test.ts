import os from 'node:os';
import { expect } from 'chai';
import { runCli } from '../services/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testQueuePrefix } from '../support/isolation.js';

const ME = `cli:${os.userInfo().username}`;

/** `wareflow audit`, and the command line's own changes in the audit log. */
describe('wareflow audit', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let env: Record<string, string>;
  const wareflow = (...args: string[]) => runCli(args, env);

  before(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url, QUEUE_PREFIX: testQueuePrefix(), LOG_LEVEL: 'error' };
  });
  after(async () => db?.drop());

  it('records a pause and a note from the command line as cli:<os user>', async () => {
    expect((await wareflow('dags', 'pause', 'data_quality')).code).to.equal(0);
    const [run] = await db
      .knex('orchestrator.dag_runs')
      .insert({
        dag_id: 'weekly_summary',
        run_type: 'manual',
        logical_date: new Date('2026-01-05T01:00:00Z'),
        data_interval_start: new Date('2026-01-05T01:00:00Z'),
        data_interval_end: new Date('2026-01-05T01:00:00Z'),
      })
      .returning('id');
    const note = await wareflow('runs', 'note', String(run.id), '--set', 'checked by hand');
    expect(note.code, note.stderr).to.equal(0);
    expect(note.stdout).to.equal(`run ${run.id}: note set (15 characters)\n`);
    const shown = await wareflow('runs', 'note', String(run.id), '--json');
    expect(JSON.parse(shown.stdout)).to.include({ run_id: run.id, note: 'checked by hand', updated_by: ME });

    const rows = await db.knex('orchestrator.audit_log').orderBy('id');
    expect(rows.map((r) => [r.actor, r.source, r.action, r.dag_id, r.run_id, r.outcome])).to.deep.equal([
      [ME, 'cli', 'dag.pause', 'data_quality', null, 'ok'],
      [ME, 'cli', 'run.note', 'weekly_summary', run.id, 'ok'],
    ]);
  });

  it('prints one JSON document {"entries":[…],"total":N}, newest first, filtered', async () => {
    const all = await wareflow('audit', '--json');
    expect(all.code, all.stderr).to.equal(0);
    expect(all.stdout.trimEnd().split('\n')).to.have.length(1);
    const doc = JSON.parse(all.stdout) as { entries: Array<Record<string, unknown>>; total: number };
    expect(doc.total).to.equal(2);
    expect(doc.entries.map((e) => e.action)).to.deep.equal(['run.note', 'dag.pause']);
    expect(doc.entries[0]).to.have.all.keys(
      'id',
      'at',
      'actor',
      'source',
      'action',
      'dag_id',
      'run_id',
      'task_id',
      'detail',
      'outcome',
    );
    expect(doc.entries[0]!.detail).to.deep.equal({ old_length: 0, new_length: 15 });
    expect(new Date(doc.entries[0]!.at as string).toISOString()).to.equal(doc.entries[0]!.at);

    const filtered = JSON.parse(
      (await wareflow('audit', '--json', '--action', 'dag.pause', '--actor', ME, '--since', '2020-01-01'))
        .stdout,
    ) as typeof doc;
    expect(filtered.entries.map((e) => e.action)).to.deep.equal(['dag.pause']);
    const none = JSON.parse((await wareflow('audit', '--json', '--actor', 'nobody', '--limit', '1')).stdout);
    expect(none).to.deep.equal({ entries: [], total: 0 });
  });

  it('prints a table for people', async () => {
    const table = await wareflow('audit', '--limit', '1');
    expect(table.code).to.equal(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^id\s+at\s+actor\s+source\s+action\s+target\s+outcome\s+detail$/);
    expect(lines[1]).to.include('run.note').and.to.include('weekly_summary run');
    expect(lines.at(-1)).to.equal('(1 of 2; --offset 1 for more)');
  });

  it('refuses bad arguments with one line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['audit', '--limit', '0'], /--limit must be a whole number from 1 to 10000/],
      [['audit', '--since', 'yesterday'], /--since must be a date/],
      [['audit', '--action', 'DROP TABLE'], /--action must look like run.trigger/],
      [['runs', 'note', '1', '--set', 'x'.repeat(4001)], /at most 4000 characters/],
    ];
    const results = await Promise.all(cases.map(([args]) => wareflow(...args)));
    results.forEach((r, i) => {
      const [args, says] = cases[i]!;
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.stderr, args.join(' ')).to.match(says);
    });
  });
});
