import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import {
  ArchiveMismatchError,
  archiveExpired,
  createPartitions,
  maintenance,
  monthArchiveDir,
  retentionCutoff,
} from '../../dags/index.js';
import { addMonths, monthOf } from '../../inventory/partitions/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { insertProducts, insertWarehouses } from './fixtures.js';
import { createTestServices, runDagLocally, type TestServices } from './harness.js';

const NOW = new Date();
/** A run of the maintenance DAG over the day ending at `end` (its instant is the interval's end). */
const dayEnding = (end: Date) => ({ start: new Date(end.getTime() - 86_400_000), end });

/** Rows of 2023-01 … 2023-03 (long expired with the default RETENTION_MONTHS = 24) and of now. */
const OLD_MONTHS = ['2023-01-01', '2023-02-01', '2023-03-01'];

describe('maintenance DAG: partitions ahead and retention', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let env: TestServices;
  let archived: { count: number; units: number; ids: string };

  const ledger = (where = 'true') =>
    db.knex.raw<{ rows: Array<{ n: number; units: number; ids: string }> }>(
      `SELECT count(*)::int AS n, coalesce(sum(quantity_change), 0)::int AS units,
              coalesce(md5(string_agg(event_id::text, ',' ORDER BY event_id)), '') AS ids
         FROM inventory.inventory_transactions WHERE ${where}`,
    );
  const partitionOf = async (eventId: string) =>
    (
      await db.knex.raw<{ rows: Array<{ p: string }> }>(
        'SELECT tableoid::regclass::text AS p FROM inventory.inventory_transactions WHERE event_id = ?',
        [eventId],
      )
    ).rows[0]?.p;
  const exists = async (name: string) =>
    (await db.knex.raw<{ rows: Array<{ t: string | null }> }>('SELECT to_regclass(?)::text AS t', [name]))
      .rows[0]!.t !== null;

  before(async () => {
    db = await createTestDatabase();
    env = await createTestServices({ databaseUrl: db.url });
    await insertProducts(db.knex, [{ sku: 'P1', lead_time_days: 3 }]);
    await insertWarehouses(db.knex, ['W1']);
  });

  after(async () => {
    await env?.close();
    await db?.drop();
  });

  /** Ledger rows of three old months and an old anomaly, with the figures the archive must keep. */
  async function insertOldMonths(): Promise<void> {
    const rows = [];
    // Every 6 hours through three old months, first and last microsecond of each month included.
    for (const month of OLD_MONTHS) {
      const from = Date.parse(`${month}T00:00:00Z`);
      const to = Date.parse(`${addMonths(month, 1)}T00:00:00Z`);
      for (let t = from; t < to; t += 6 * 3_600_000) rows.push(t);
      rows.push(to - 0.001);
    }
    await db.knex.raw(
      `INSERT INTO inventory.inventory_transactions (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at)
       SELECT gen_random_uuid(), 'P1', 'W1', 'SALE', -1 - (k % 5), to_timestamp(t / 1000.0)
         FROM unnest(?::float8[]) WITH ORDINALITY AS x(t, k)`,
      [rows],
    );
    await db.knex.raw(
      `INSERT INTO analytics.anomalies (event_id, sku, warehouse_id, anomaly_type, severity, risk_score, occurred_at)
       VALUES (gen_random_uuid(), 'P1', 'W1', 'HIGH_VALUE', 'low', 0.5, '2023-02-10T00:00:00Z'),
              (gen_random_uuid(), 'P1', 'W1', 'HIGH_VALUE', 'low', 0.5, now())`,
    );
    const [r] = (await ledger("occurred_at < '2023-04-01'")).rows;
    archived = { count: r!.n, units: r!.units, ids: r!.ids };
  }

  it('keeps every month the stream still accepts events for, whatever RETENTION_MONTHS says', () => {
    const now = new Date('2026-12-06T03:30:00Z');
    expect(retentionCutoff({ now, retentionMonths: 24, maxEventAgeDays: 400 })).to.deep.equal({
      month: '2024-12-01',
      heldBy: 'RETENTION_MONTHS',
    });
    expect(retentionCutoff({ now, retentionMonths: 3, maxEventAgeDays: 400 })).to.deep.equal({
      month: '2025-11-01',
      heldBy: 'MAX_EVENT_AGE_DAYS',
    });
  });

  it('creates the partitions of the months ahead and moves rows that landed in DEFAULT into their month', async () => {
    const ahead = addMonths(monthOf(NOW), 7);
    const stray = randomUUID();
    await db.knex('inventory.inventory_transactions').insert({
      event_id: stray,
      sku: 'P1',
      warehouse_id: 'W1',
      event_type: 'RESTOCK',
      quantity_change: 5,
      occurred_at: `${ahead}T12:00:00Z`,
    });
    expect(await partitionOf(stray)).to.equal('inventory.inventory_transactions_default');

    // A run five months from now: partitions up to three months after it.
    const later = new Date(Date.parse(`${addMonths(monthOf(NOW), 5)}T03:30:00Z`));
    const run = await runDagLocally(maintenance, { db: db.knex, ...env }, dayEnding(later));
    expect(run.failed).to.deep.equal({});
    const name = (m: string) => `inventory.inventory_transactions_p${m.slice(0, 4)}${m.slice(5, 7)}`;
    expect(await partitionOf(stray)).to.equal(name(ahead));
    for (let k = 0; k <= 8; k++)
      expect(await exists(name(addMonths(monthOf(NOW), k))), `+${k} months`).to.equal(true);
    for (const t of ['analytics.anomalies', 'analytics.stream_windows'])
      expect(await exists(`${t}_p${addMonths(monthOf(NOW), 8).slice(0, 7).replace('-', '')}`), t).to.equal(
        true,
      );
    const registered = await db.knex('inventory.ledger_event_ids').where({ event_id: stray }).first();
    expect(registered.occurred_at.toISOString()).to.equal(`${ahead}T12:00:00.000Z`);
  });

  /** Per pair: the on-hand change of the ledger as the reconciliation rule reads it (totals + younger rows). */
  const reconciled = async () =>
    (
      await db.knex.raw(`
        SELECT coalesce(c.on_hand_change, 0) + coalesce((
                 SELECT sum(quantity_change) FROM inventory.inventory_transactions t
                  WHERE t.sku = l.sku AND t.warehouse_id = l.warehouse_id
                    AND t.occurred_at >= (SELECT until FROM inventory.ledger_totals_until)), 0) AS on_hand
          FROM (SELECT 'P1' AS sku, 'W1' AS warehouse_id) l
          LEFT JOIN inventory.ledger_totals c USING (sku, warehouse_id)`)
    ).rows[0].on_hand as string;

  it('archives each expired month to Parquet, verifies it by reading it back, then drops it', async () => {
    await insertOldMonths();
    const sum = (await ledger()).rows[0]!.units;
    const run = await runDagLocally(maintenance, { db: db.knex, ...env }, dayEnding(NOW));
    expect(run.failed).to.deep.equal({});
    expect(run.outputs.archive_expired).to.include({ archived: 4, skipped: 0 });
    expect(run.outputs.verify_archives).to.deep.equal({ verified: 4 });
    expect(run.outputs.drop_expired).to.deep.equal({ dropped: 4 });

    for (const m of OLD_MONTHS)
      expect(await exists(`inventory.inventory_transactions_p${m.slice(0, 4)}${m.slice(5, 7)}`), m).to.equal(
        false,
      );
    expect((await ledger("occurred_at < '2023-04-01'")).rows[0]!.n).to.equal(0);
    const { rows } = await db.knex.raw(
      "SELECT count(*)::int AS n FROM inventory.ledger_event_ids WHERE occurred_at < '2023-04-01'",
    );
    expect(rows[0].n).to.equal(0);
    expect(Number((await db.knex('analytics.anomalies').count({ n: '*' }).first())!.n)).to.equal(1);
    // On-hand still reconciles: the dropped rows are summed in the ledger totals.
    expect(Number(await reconciled())).to.equal(sum);

    // What DuckDB reads from the archive is what the ledger held, row for row.
    const dir = path.join(env.dataDir, 'archive', 'inventory_transactions');
    expect((await readdir(dir)).sort()).to.deep.equal(['month=2023-01', 'month=2023-02', 'month=2023-03']);
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const read = await duck.runAndReadAll(
      `SELECT count(*)::int, sum(quantity_change)::int, md5(string_agg(event_id, ',' ORDER BY event_id)),
              count(*) FILTER (WHERE month = '2023-02')::int, max(occurred_at)::text
         FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true)`,
    );
    expect(read.getRows()[0]).to.deep.equal([
      archived.count,
      archived.units,
      archived.ids,
      4 * 28 + 1,
      '2023-03-31 23:59:59.999999',
    ]);
    const records = await db.knex('inventory.partition_archives').orderBy(['table_name', 'month']);
    expect(records.map((r) => [r.table_name, r.verified_at !== null, r.dropped_at !== null])).to.deep.equal([
      ['anomalies', true, true],
      ['inventory_transactions', true, true],
      ['inventory_transactions', true, true],
      ['inventory_transactions', true, true],
    ]);
  });

  it('changes nothing when it runs again', async () => {
    const before = (await ledger()).rows[0];
    const run = await runDagLocally(maintenance, { db: db.knex, ...env }, dayEnding(NOW));
    expect(run.failed).to.deep.equal({});
    expect(run.outputs.create_partitions).to.include({ created: 0, moved: 0 });
    expect(run.outputs.archive_expired).to.include({ archived: 0 });
    expect(run.outputs.drop_expired).to.deep.equal({ dropped: 0 });
    expect((await ledger()).rows[0]).to.deep.equal(before);
  });

  const settings = () => ({ now: NOW, retentionMonths: 24, maxEventAgeDays: 400 });
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  /** Rows of an old month, then the steps of a run that crashed before verify_archives. */
  async function archivedNotDropped(month: string): Promise<void> {
    await db.knex.raw(
      `INSERT INTO inventory.inventory_transactions (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at)
       SELECT gen_random_uuid(), 'P1', 'W1', 'RESTOCK', k, ?::timestamptz + k * interval '1 hour'
         FROM generate_series(1, 50) k`,
      [`${month}T00:00:00Z`],
    );
    await createPartitions(db.knex, silent, settings());
    await archiveExpired(db.knex, silent, env.dataDir, settings());
  }
  const monthRows = (month: string) =>
    ledger(`occurred_at >= '${month}' AND occurred_at < '${addMonths(month, 1)}'`).then((r) => r.rows[0]!.n);

  describe('after a crash between archive and drop', () => {
    before(() => archivedNotDropped('2023-06-01'));

    it('verifies the written archive again, then drops the month', async () => {
      expect(await monthRows('2023-06-01')).to.equal(50);
      const run = await runDagLocally(maintenance, { db: db.knex, ...env }, dayEnding(NOW));
      expect(run.failed).to.deep.equal({});
      expect(run.outputs.archive_expired).to.include({ archived: 0, skipped: 1 });
      expect(run.outputs.verify_archives).to.deep.equal({ verified: 1 });
      expect(run.outputs.drop_expired).to.deep.equal({ dropped: 1 });
      expect(await exists('inventory.inventory_transactions_p202306')).to.equal(false);
      expect(await monthRows('2023-06-01')).to.equal(0);
    });
  });

  describe('when an archive does not hold what its partition holds', () => {
    before(async () => {
      await archivedNotDropped('2023-07-01');
      await rm(
        path.join(monthArchiveDir(env.dataDir, 'inventory_transactions', '2023-07-01'), 'part-0.parquet'),
      );
    });

    it('fails verification and drops nothing', async () => {
      const run = await runDagLocally(maintenance, { db: db.knex, ...env }, dayEnding(NOW));
      expect(run.failed.verify_archives).to.be.instanceOf(ArchiveMismatchError);
      expect(run.failed.verify_archives!.message).to.match(
        /inventory_transactions 2023-07: the archive under .* holds 0 rows in 0 files .* the partition 50 rows/,
      );
      expect(run.skipped).to.deep.equal(['drop_expired']);
      expect(await monthRows('2023-07-01')).to.equal(50);
    });

    it('writes the month again on the next run, verifies it and drops it', async () => {
      const run = await runDagLocally(maintenance, { db: db.knex, ...env }, dayEnding(NOW));
      expect(run.failed).to.deep.equal({});
      expect(run.outputs.archive_expired).to.include({ archived: 1 });
      expect(run.outputs.drop_expired).to.deep.equal({ dropped: 1 });
      expect(await monthRows('2023-07-01')).to.equal(0);
    });
  });
});
