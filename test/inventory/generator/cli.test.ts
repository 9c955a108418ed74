import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { runCli } from './run-cli.js';

describe('wareflow generate (CLI)', function () {
  this.timeout(120_000);

  const bad: Array<[string, string[], RegExp]> = [
    ['a negative --days', ['--days', '-1'], /--days/],
    ['an unknown --to', ['--to', 'mysql'], /mysql.*postgres, kafka/],
    ['zero SKUs', ['--skus', '0'], /--skus/],
    ['a rate of zero', ['--to', 'kafka', '--rate', '0'], /--rate/],
    [
      'a time-lapse without an end',
      ['--to', 'kafka', '--rate', '50'],
      /--rate 50 is a time-lapse .* give --count or --duration/,
    ],
    ['a fractional seed', ['--seed', '1.5'], /--seed/],
    ['--count without --to kafka', ['--count', '5'], /--count applies to --to kafka only/],
    ['--burst without --to kafka', ['--burst'], /--burst applies to --to kafka only/],
  ];
  it('rejects bad arguments with one line on stderr and exit code 2, touching nothing', async () => {
    // No database or broker is reachable here: bad arguments must be caught before connecting.
    const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', KAFKA_BROKERS: '127.0.0.1:1' };
    const runs = await Promise.all(bad.map(([, args]) => runCli(['generate', ...args], env)));
    runs.forEach((run, i) => {
      const [what, , message] = bad[i]!;
      expect(run.code, what).to.equal(2);
      expect(run.stdout, what).to.equal('');
      const lines = run.stderr.trim().split('\n');
      expect(lines, `${what}: ${run.stderr}`).to.have.length(1);
      expect(lines[0], what).to.match(message);
    });
  });

  describe('--to postgres', () => {
    let db: TestDatabase;
    before(async () => {
      db = await createTestDatabase({ migrated: false });
    });
    after(async () => db?.drop());

    it('migrates the database, writes the history and prints one JSON summary; a rerun replaces it', async () => {
      const args = ['generate', '--days', '14', '--skus', '6', '--warehouses', '2', '--seed', '3', '--json'];
      const first = await runCli(args, { DATABASE_URL: db.url });
      expect(first.code, first.stderr).to.equal(0);
      expect(first.stdout.trim().split('\n')).to.have.length(1);
      const summary = JSON.parse(first.stdout);
      expect(summary).to.include({ target: 'postgres', products: 6, warehouses: 2, pairs: 12, replaced: 0 });
      expect(summary.rows).to.be.greaterThan(100);
      expect(summary.seconds).to.be.above(0);
      expect(summary.rows_per_s).to.be.above(0);
      const count = async () =>
        (await db.knex.raw('SELECT count(*)::int AS n FROM inventory.inventory_transactions')).rows[0].n;
      expect(await count()).to.equal(summary.rows);

      const second = await runCli(args, { DATABASE_URL: db.url });
      expect(second.code, second.stderr).to.equal(0);
      const again = JSON.parse(second.stdout);
      expect(again.replaced).to.equal(summary.rows);
      expect(await count()).to.equal(again.rows);
    });
  });
});
