import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { MIGRATIONS_DIR, migrateLatest, migrateRollback, migratorConfigFor } from '../../db/index.js';
import { clearWarehouse } from '../../inventory/backtest/index.js';
import { advanceLedgerTotals } from '../../inventory/partitions/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const PARTITIONING = '0011_partitioned_ledger.ts';

/** The inventory migrations from the partitioning on, in the order they apply (one batch here). */
const FROM_PARTITIONING = readdirSync(path.join(MIGRATIONS_DIR, 'inventory'))
  .filter((f) => f.endsWith('.ts') && f >= PARTITIONING)
  .sort()
  .map((f) => `inventory/${f}`);

/** The database as it was before the ledger was partitioned: every migration up to inventory/0010. */
async function migrateToFlatLedger(db: TestDatabase): Promise<void> {
  await migrateLatest(db.knex, { owners: ['engine'] });
  const inventory = migratorConfigFor('inventory');
  const before = readdirSync(path.join(MIGRATIONS_DIR, 'inventory'))
    .filter((f) => f.endsWith('.ts') && f < PARTITIONING)
    .sort();
  for (const name of before) await db.knex.migrate.up({ ...inventory, name });
  await db.knex.migrate.latest(migratorConfigFor('streaming'));
}

/** Count and digest of every row of a table, in a fixed order, every column included. */
async function digest(db: TestDatabase, table: string, key: string) {
  const { rows } = await db.knex.raw(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY ${key}), '')) AS md5 FROM ${table} t`,
  );
  return rows[0] as { n: number; md5: string };
}

const TABLES: Array<[string, string]> = [
  ['inventory.inventory_transactions', 'event_id'],
  ['analytics.anomalies', 'anomaly_id'],
  ['analytics.stream_windows', 'window_kind, window_start, sku, warehouse_id'],
];

describe('migration inventory/0011: the ledger partitioned by month on a populated database', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let flat: Record<string, { n: number; md5: string }>;

  before(async () => {
    db = await createTestDatabase({ migrated: false });
    await migrateToFlatLedger(db);
    await db.knex.raw(`
      INSERT INTO inventory.products (sku, name, category, unit_cost, unit_price, lead_time_days)
      VALUES ('SKU-1', 'Widget', 'tools', 2, 3, 5), ('SKU-2', 'Gadget', 'tools', 4, 6, 9);
      INSERT INTO inventory.warehouses (warehouse_id, name, zone, capacity) VALUES ('WH-1', 'Main', 'n', 9);
      -- Two years of hourly rows, the first and last microsecond of every month, and outliers
      -- far from today: each goes to its month's partition.
      INSERT INTO inventory.inventory_transactions
        (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at, reference_id, notes, ingested_at,
         source_partition)
      SELECT gen_random_uuid(), 'SKU-' || (1 + k % 2), 'WH-1',
             CASE WHEN k % 3 = 0 THEN 'RESTOCK' ELSE 'SALE' END,
             CASE WHEN k % 3 = 0 THEN 5 ELSE -1 END, at, CASE WHEN k % 7 = 0 THEN 'PO-' || k END,
             CASE WHEN k % 11 = 0 THEN 'note ' || k END, at + interval '3 seconds',
             CASE WHEN k % 2 = 0 THEN (k % 6)::smallint END
        FROM (SELECT k, timestamptz '2025-01-01 00:00:00+00' + k * interval '1 hour' AS at
                FROM generate_series(0, 2 * 365 * 24) k
              UNION ALL
              SELECT 100000 + k, timestamptz '2025-01-01 00:00:00+00' + make_interval(months => k) - interval '1 microsecond'
                FROM generate_series(0, 24) k
              UNION ALL
              SELECT 200000 + k, timestamptz '1999-12-31 23:59:59.999999+00' + k * interval '40 years'
                FROM generate_series(0, 1) k) x;
      INSERT INTO analytics.anomalies (event_id, sku, warehouse_id, anomaly_type, severity, risk_score, occurred_at)
      SELECT gen_random_uuid(), 'SKU-1', 'WH-1', 'HIGH_VALUE', 'low', 0.5,
             timestamptz '2025-06-01 00:00:00+00' + k * interval '9 hours'
        FROM generate_series(0, 300) k;
      INSERT INTO analytics.stream_windows
        (window_kind, window_start, window_end, sku, warehouse_id, event_count, units_in, units_out)
      SELECT 'tumbling_1h', s, s + interval '1 hour', 'SKU-1', 'WH-1', 3, 1, 2
        FROM generate_series(timestamptz '2025-11-30 20:00:00+00', timestamptz '2025-12-01 03:00:00+00',
                             interval '1 hour') s;
      INSERT INTO inventory.purchase_orders (kind, reference_id, sku, warehouse_id, quantity, ordered_at, expected_at)
      VALUES ('purchase', 'PO-0', 'SKU-1', 'WH-1', 5, '2024-12-31T00:00:00Z', '2025-01-02T00:00:00Z');
    `);
    flat = {};
    for (const [table, key] of TABLES) flat[table] = await digest(db, table, key);
    expect(flat['inventory.inventory_transactions']!.n).to.equal(2 * 365 * 24 + 1 + 25 + 2);
  });
  after(async () => db?.drop());

  it('moves every row into its monthly partition, nothing lost or changed', async () => {
    const { applied } = await migrateLatest(db.knex);
    expect(applied).to.deep.equal(FROM_PARTITIONING);
    for (const [table, key] of TABLES) expect(await digest(db, table, key), table).to.deep.equal(flat[table]);

    // Each row lies in the month its partition's name says (inventory_transactions_pYYYYMM).
    const { rows } = await db.knex.raw(`
      WITH placed AS (
        SELECT tableoid::regclass::text AS partition, occurred_at AT TIME ZONE 'UTC' AS utc
          FROM inventory.inventory_transactions
      )
      SELECT partition, bool_and(to_char(utc, '"inventory.inventory_transactions_p"YYYYMM') = partition) AS within
        FROM placed GROUP BY 1 ORDER BY 1`);
    expect(rows.map((r: { partition: string }) => r.partition)).to.include.members([
      'inventory.inventory_transactions_p199912',
      'inventory.inventory_transactions_p202501',
      'inventory.inventory_transactions_p202612',
      'inventory.inventory_transactions_p203912',
    ]);
    expect(rows.every((r: { within: boolean }) => r.within)).to.equal(true);
    const inDefault = await db.knex.raw(
      'SELECT count(*)::int AS n FROM inventory.inventory_transactions_default',
    );
    expect(inDefault.rows[0].n).to.equal(0);
  });

  it('registers every event id once, with its time', async () => {
    const { rows } = await db.knex.raw(`
      SELECT (SELECT count(*) FROM inventory.ledger_event_ids)::int AS ids,
             (SELECT count(*) FROM inventory.inventory_transactions t
                JOIN inventory.ledger_event_ids e USING (event_id, occurred_at))::int AS matched`);
    expect(rows[0]).to.deep.equal({
      ids: flat['inventory.inventory_transactions']!.n,
      matched: flat['inventory.inventory_transactions']!.n,
    });
  });

  it('keeps the checks, keys and foreign keys of the flat ledger', async () => {
    const row = {
      event_id: '00000000-0000-4000-8000-000000000001',
      sku: 'SKU-1',
      warehouse_id: 'WH-1',
      event_type: 'SALE',
      quantity_change: -1,
      occurred_at: new Date('2026-03-01T00:00:00Z'),
    };
    const fails = (r: object) =>
      db
        .knex('inventory.inventory_transactions')
        .insert(r)
        .then(
          () => null,
          (e: { code: string }) => e.code,
        );
    expect(await fails({ ...row, quantity_change: 1 })).to.equal('23514');
    expect(await fails({ ...row, sku: 'NOPE' })).to.equal('23503');
    expect(await fails(row)).to.equal(null);
    expect(await fails(row)).to.equal('23505');
    expect(await fails({ ...row, occurred_at: new Date('2026-04-15T00:00:00Z') })).to.equal('23505');
    await db.knex('inventory.inventory_transactions').where({ event_id: row.event_id }).delete();
    expect(await db.knex('inventory.ledger_event_ids').where({ event_id: row.event_id })).to.deep.equal([]);
  });

  it('rolls back to the flat tables with every row', async () => {
    const { reverted } = await migrateRollback(db.knex);
    expect(reverted).to.deep.equal([...FROM_PARTITIONING].reverse());
    for (const [table, key] of TABLES) expect(await digest(db, table, key), table).to.deep.equal(flat[table]);
    const { rows } = await db.knex.raw(
      "SELECT relkind FROM pg_class WHERE oid = 'inventory.inventory_transactions'::regclass",
    );
    expect(rows[0].relkind).to.equal('r');
    const pk = await db.knex.raw(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE conrelid = 'inventory.inventory_transactions'::regclass AND contype = 'p'`,
    );
    expect(pk.rows[0].def).to.equal('PRIMARY KEY (event_id)');
    expect((await migrateLatest(db.knex)).applied).to.deep.equal(FROM_PARTITIONING);
    for (const [table, key] of TABLES) expect(await digest(db, table, key), table).to.deep.equal(flat[table]);
  });
});

describe('ledger totals (the sums of the rows before ledger_totals_until)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  const seed = () =>
    db.knex.raw(`
      INSERT INTO inventory.products (sku, name, category, unit_cost, unit_price, lead_time_days)
      VALUES ('SKU-1', 'Widget', 'tools', 2, 3, 5);
      INSERT INTO inventory.warehouses (warehouse_id, name, zone, capacity) VALUES ('WH-1', 'Main', 'n', 9);
      INSERT INTO inventory.inventory_transactions (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at)
      VALUES (gen_random_uuid(), 'SKU-1', 'WH-1', 'RESTOCK', 4, '2025-02-01T00:00:00Z'),
             (gen_random_uuid(), 'SKU-1', 'WH-1', 'SALE', -1, '2025-03-01T00:00:00Z'),
             (gen_random_uuid(), 'SKU-1', 'WH-1', 'SALE', -2, '2025-04-01T00:00:00Z');`);
  const totals = () => db.knex('inventory.ledger_totals').select('on_hand_change', 'row_count');

  it('sum the months they are moved over, and a late row older than their bound adds itself', async () => {
    await seed();
    expect(await advanceLedgerTotals(db.knex, '2025-04-01')).to.equal(2);
    expect(await totals()).to.deep.equal([{ on_hand_change: 3, row_count: 2 }]);
    await db.knex.raw(`INSERT INTO inventory.inventory_transactions
      (event_id, sku, warehouse_id, event_type, quantity_change, occurred_at)
      VALUES (gen_random_uuid(), 'SKU-1', 'WH-1', 'SALE', -2, '2025-01-15T00:00:00Z')`);
    expect(await totals()).to.deep.equal([{ on_hand_change: 1, row_count: 3 }]);
    await db.knex('inventory.inventory_transactions').where({ quantity_change: 4 }).delete();
    expect(await totals()).to.deep.equal([{ on_hand_change: -3, row_count: 2 }]);
  });

  it('start over when every table of the schemas is emptied (an eval data set starting afresh)', async () => {
    await clearWarehouse(db.knex);
    expect(await db.knex('inventory.ledger_totals_until').pluck('until')).to.deep.equal([-Infinity]);
    expect(await totals()).to.deep.equal([]);
    await seed();
    expect(await advanceLedgerTotals(db.knex, '2025-04-01')).to.equal(2);
    expect(await totals()).to.deep.equal([{ on_hand_change: 3, row_count: 2 }]);
  });
});
