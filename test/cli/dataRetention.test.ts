import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `wareflow …args` to its end, with stdout and stderr. */
function wareflow(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/wareflow.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, out, err })),
  );
}

interface Action {
  table: string;
  month: string;
  action: string;
  rows: number | null;
}

describe('wareflow data retention', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const ledgerRows = async () =>
    Number((await db.knex('inventory.inventory_transactions').count({ n: '*' }).first())!.n);

  before(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'wareflow-retention-'));
    env = { DATABASE_URL: db.url, DATA_DIR: dataDir };
    await db.knex.raw(`
      INSERT INTO inventory.products (sku, name, category, unit_cost, unit_price, lead_time_days)
      VALUES ('SKU-1', 'Widget', 'tools', 2, 3, 5);
      INSERT INTO inventory.warehouses (warehouse_id, name, zone, capacity) VALUES ('WH-1', 'Main', 'n', 9);
      INSERT INTO inventory.inventory_transactions (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at)
      SELECT gen_random_uuid(), 'SKU-1', 'WH-1', 'SALE', -1, timestamptz '2022-05-01' + k * interval '1 day'
        FROM generate_series(0, 44) k
      UNION ALL
      SELECT gen_random_uuid(), 'SKU-1', 'WH-1', 'SALE', -1, now() - interval '1 hour';`);
  });
  after(async () => {
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses bad arguments and a bad RETENTION_MONTHS with one line and exit code 2', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ['data', 'retention', '--retention-months', '0'],
        {},
        /--retention-months must be a whole number from 1 to 1200/,
      ],
      [['data', 'retention', '--retention-months', 'two'], {}, /--retention-months must be a whole number/],
      [['data', 'retention', '--dry'], {}, /unknown option '--dry'/],
      [['data', 'retention', '--dry-run'], { RETENTION_MONTHS: 'forever' }, /RETENTION_MONTHS/],
    ];
    for (const [args, extra, says] of cases) {
      const r = await wareflow(args, { ...env, ...extra });
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.err.trimEnd().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.err, args.join(' ')).to.match(says);
    }
  });

  it('--dry-run --json says what it would do, month by month, and changes nothing', async () => {
    const r = await wareflow(['data', 'retention', '--dry-run', '--json'], env);
    expect(r.code).to.equal(0);
    expect(r.out.trimEnd().split('\n')).to.have.length(1);
    const plan = JSON.parse(r.out) as {
      dry_run: boolean;
      held_by: string;
      retention_months: number;
      actions: Action[];
    };
    expect(plan).to.include({ dry_run: true, held_by: 'RETENTION_MONTHS', retention_months: 24 });
    const old = plan.actions.filter((a) => a.table === 'inventory_transactions' && a.month < '2023-01-01');
    expect(old.map((a) => [a.month, a.action, a.rows])).to.deep.equal([
      ['2022-05-01', 'move_from_default', 31],
      ['2022-05-01', 'archive', 31],
      ['2022-05-01', 'verify', 31],
      ['2022-05-01', 'drop', 31],
      ['2022-06-01', 'move_from_default', 14],
      ['2022-06-01', 'archive', 14],
      ['2022-06-01', 'verify', 14],
      ['2022-06-01', 'drop', 14],
    ]);
    // The migration made the partitions of the months the stream accepts, and three ahead.
    expect(plan.actions.filter((a) => a.action === 'create')).to.deep.equal([]);
    expect(await ledgerRows()).to.equal(46);
    expect(await readdir(dataDir)).to.deep.equal([]);
  });

  it('--dry-run prints a table for people', async () => {
    const r = await wareflow(['data', 'retention', '--dry-run', '--retention-months', '30'], env);
    expect(r.code).to.equal(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).to.match(
      /^months before \d{4}-\d{2} expire \(held by RETENTION_MONTHS: RETENTION_MONTHS=30/,
    );
    expect(lines[1]).to.match(/^table +month +action +rows +size$/);
    expect(lines).to.include.members(['inventory_transactions  2022-05  archive            31    -']);
  });

  it('without --dry-run does it: the old months archived and gone, then nothing left to do', async () => {
    const r = await wareflow(['data', 'retention', '--json'], env);
    expect(r.code, r.err).to.equal(0);
    const done = (JSON.parse(r.out) as { done: Record<string, number> }).done;
    expect(done).to.include({ moved: 45, archived: 2, verified: 2, dropped: 2 });
    expect(await ledgerRows()).to.equal(1);
    expect(await readdir(path.join(dataDir, 'archive', 'inventory_transactions'))).to.deep.equal([
      'month=2022-05',
      'month=2022-06',
    ]);
    const again = JSON.parse((await wareflow(['data', 'retention', '--dry-run', '--json'], env)).out) as {
      actions: Action[];
    };
    expect(again.actions).to.deep.equal([]);
  });
});
