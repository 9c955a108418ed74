import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { migrateLatest, migrateRollback } from '../../db/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** Every schema a wareflow migration creates. */
const WAREFLOW_SCHEMAS = ['analytics', 'inventory', 'orchestrator', 'streaming'];
const LEGACY_MIGRATIONS_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'legacy-migrations',
);

async function tables(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.knex.raw(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
     WHERE table_schema = ANY(?) ORDER BY 1`,
    [WAREFLOW_SCHEMAS],
  );
  return rows.map((r: { name: string }) => r.name);
}

async function schemas(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.knex.raw(
    'SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY(?) ORDER BY 1',
    [WAREFLOW_SCHEMAS],
  );
  return rows.map((r: { schema_name: string }) => r.schema_name);
}

/** What a schema comparison must agree on: columns (types, defaults), constraints and indexes. */
async function shape(db: TestDatabase): Promise<Record<string, string[]>> {
  const queries = {
    columns: `SELECT concat_ws(' ', table_schema || '.' || table_name, column_name, data_type, is_nullable,
      column_default) AS d FROM information_schema.columns WHERE table_schema = ANY(?)`,
    constraints: `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(c.oid) AS d
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = ANY(?)`,
    indexes: 'SELECT indexdef AS d FROM pg_indexes WHERE schemaname = ANY(?)',
  };
  const result: Record<string, string[]> = {};
  for (const [kind, sql] of Object.entries(queries)) {
    const { rows } = await db.knex.raw(`${sql} ORDER BY 1`, [WAREFLOW_SCHEMAS]);
    result[kind] = rows.map((r: { d: string }) => r.d);
  }
  return result;
}

async function recorded(db: TestDatabase, table: string): Promise<string[]> {
  return (await db.knex(`public.${table}`).orderBy('id').pluck('name')) as string[];
}

describe('warehouse migrations', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  after(async () => db?.drop());

  it('create the contract tables of SPEC §4, and a second run applies nothing', async () => {
    const first = await migrateLatest(db.knex);
    expect(first.applied.length).to.be.greaterThan(0);
    expect(await tables(db)).to.include.members([
      'inventory.products',
      'inventory.warehouses',
      'inventory.inventory_levels',
      'inventory.inventory_transactions',
      'analytics.daily_inventory_snapshots',
      'analytics.transaction_aggregates',
      'analytics.processed_metrics',
      'analytics.stream_windows',
      'analytics.anomalies',
      'analytics.alerts',
      'analytics.weekly_summaries',
      'analytics.data_quality_results',
      'streaming.consumer_offsets',
    ]);
    expect(await tables(db)).not.to.include('inventory.consumer_offsets');
    expect((await migrateLatest(db.knex)).applied).to.deep.equal([]);
  });

  it('roll back completely and apply again (up, down, up)', async () => {
    const before = await tables(db);
    await migrateRollback(db.knex, true);
    expect(await tables(db)).to.deep.equal([]);
    await migrateLatest(db.knex);
    expect(await tables(db)).to.deep.equal(before);
  });

  describe('constraints', () => {
    beforeEach(async () => {
      await db.knex.raw(`TRUNCATE inventory.inventory_transactions, inventory.inventory_levels,
        inventory.products, inventory.warehouses CASCADE`);
      await db.knex('inventory.products').insert({
        sku: 'SKU-1',
        name: 'Widget',
        category: 'tools',
        unit_cost: 2,
        unit_price: 3,
        lead_time_days: 5,
      });
      await db.knex('inventory.warehouses').insert({
        warehouse_id: 'WH-1',
        name: 'Main',
        zone: 'north',
        capacity: 1000,
        timezone: 'Europe/Berlin',
      });
    });

    const tx = (eventType: string, quantityChange: number) => ({
      event_id: crypto.randomUUID(),
      sku: 'SKU-1',
      warehouse_id: 'WH-1',
      event_type: eventType,
      quantity_change: quantityChange,
      occurred_at: new Date(),
    });

    it('reject a transaction whose quantity sign contradicts its type', async () => {
      for (const [type, qty] of [
        ['SALE', 3],
        ['RESTOCK', -3],
        ['RESERVATION_RELEASE', 1],
        ['ADJUSTMENT', 0],
      ] as const) {
        const err = await db
          .knex('inventory.inventory_transactions')
          .insert(tx(type, qty))
          .catch((e) => e);
        expect(err, `${type} ${qty}`).to.have.property('code', '23514');
      }
      await db
        .knex('inventory.inventory_transactions')
        .insert([tx('SALE', -3), tx('ADJUSTMENT', -1), tx('ADJUSTMENT', 4)]);
    });

    it('reject a transaction for an unknown SKU', async () => {
      const err = await db
        .knex('inventory.inventory_transactions')
        .insert({ ...tx('SALE', -1), sku: 'NOPE' })
        .catch((e) => e);
      expect(err).to.have.property('code', '23503');
    });

    it('allow negative on-hand, because a valid event is a fact (SPEC §3)', async () => {
      await db
        .knex('inventory.inventory_levels')
        .insert({ sku: 'SKU-1', warehouse_id: 'WH-1', quantity_on_hand: -4 });
      const row = await db.knex('inventory.inventory_levels').first();
      expect(row.quantity_on_hand).to.equal(-4);
    });

    it('reject lower-case or padded ids and negative capacity', async () => {
      const lower = await db
        .knex('inventory.products')
        .insert({ sku: 'sku-2', name: 'x', category: 'c', unit_cost: 1, unit_price: 1, lead_time_days: 1 })
        .catch((e) => e);
      expect(lower).to.have.property('code', '23514');
      const cap = await db
        .knex('inventory.warehouses')
        .insert({ warehouse_id: 'WH-2', name: 'x', zone: 'z', capacity: -1 })
        .catch((e) => e);
      expect(cap).to.have.property('code', '23514');
    });
  });
});

describe('migrations split per owner', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterEach(async () => db?.drop());

  it("apply the engine's migrations alone, creating only the orchestrator schema", async () => {
    const engine = await migrateLatest(db.knex, { owners: ['engine'] });
    expect(engine.applied).to.deep.equal([
      'engine/0001_orchestrator.ts',
      'engine/0002_run_version.ts',
      'engine/0003_try_key.ts',
    ]);
    expect(await schemas(db)).to.deep.equal(['orchestrator']);
    expect(await recorded(db, 'knex_migrations_engine')).to.deep.equal([
      '0001_orchestrator.ts',
      '0002_run_version.ts',
      '0003_try_key.ts',
    ]);

    const rest = await migrateLatest(db.knex);
    expect(rest.applied).to.deep.equal([
      'inventory/0001_inventory.ts',
      'inventory/0002_analytics.ts',
      'inventory/0003_source_partition.ts',
      'inventory/0004_dags.ts',
      'inventory/0005_cause_ids.ts',
      'streaming/0001_consumer_offsets.ts',
      'streaming/0002_streaming_schema.ts',
      'streaming/0003_dlq_replays.ts',
    ]);
    expect(await schemas(db)).to.deep.equal(WAREFLOW_SCHEMAS);
  });

  it('leave no wareflow schema behind after a full migrate and rollback --all', async () => {
    await migrateLatest(db.knex);
    const { reverted } = await migrateRollback(db.knex, { all: true });
    expect(reverted[0]).to.equal('streaming/0003_dlq_replays.ts');
    expect(reverted.at(-1)).to.equal('engine/0001_orchestrator.ts');
    expect(await schemas(db)).to.deep.equal([]);
    expect(await db.knex.raw("SELECT to_regclass('public.knex_migrations') AS t")).to.have.nested.property(
      'rows[0].t',
      null,
    );
  });

  it('revert exactly what the last migrate applied, across owners', async () => {
    await migrateLatest(db.knex, { owners: ['engine'] });
    const second = await migrateLatest(db.knex);
    const { reverted } = await migrateRollback(db.knex);
    expect(reverted).to.have.members(second.applied);
    expect(await schemas(db)).to.deep.equal(['orchestrator']);
    expect(await migrateRollback(db.knex)).to.deep.equal({
      batch: 1,
      reverted: ['engine/0003_try_key.ts', 'engine/0002_run_version.ts', 'engine/0001_orchestrator.ts'],
    });
    expect(await migrateRollback(db.knex)).to.deep.equal({ batch: 0, reverted: [] });
  });
});

/**
 * What today's users have: a database migrated by the shared sequence (kept as a fixture), one
 * batch per migration for the first five, then the last two together.
 */
async function legacyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrated: false });
  const legacy = { directory: LEGACY_MIGRATIONS_DIR, loadExtensions: ['.ts'], tableName: 'knex_migrations' };
  for (let i = 0; i < 5; i++) await db.knex.migrate.up(legacy);
  await db.knex.migrate.latest(legacy);
  return db;
}

describe('upgrading a warehouse migrated before the split', () => {
  let db: TestDatabase;
  const eventId = '00000000-0000-4000-8000-000000000001';
  before(async () => {
    db = await legacyDatabase();
    await db.knex('inventory.products').insert({
      sku: 'SKU-1',
      name: 'Widget',
      category: 'tools',
      unit_cost: 2,
      unit_price: 3,
      lead_time_days: 5,
    });
    await db
      .knex('inventory.warehouses')
      .insert({ warehouse_id: 'WH-1', name: 'Main', zone: 'n', capacity: 9 });
    await db.knex('inventory.inventory_transactions').insert({
      event_id: eventId,
      sku: 'SKU-1',
      warehouse_id: 'WH-1',
      event_type: 'RESTOCK',
      quantity_change: 7,
      occurred_at: new Date('2026-11-20T10:00:00Z'),
      source_partition: 3,
    });
    await db.knex('orchestrator.dag_runs').insert({
      dag_id: 'daily_inventory_etl',
      run_type: 'scheduled',
      logical_date: new Date('2026-11-20T02:00:00Z'),
      data_interval_start: new Date('2026-11-19T02:00:00Z'),
      data_interval_end: new Date('2026-11-20T02:00:00Z'),
      version: 2,
    });
    await db.knex('inventory.consumer_offsets').insert({
      group_id: 'wareflow-sidecar',
      topic: 'inventory-events',
      partition: 3,
      next_offset: 42,
      max_event_time: new Date('2026-11-20T10:00:00Z'),
    });
  });
  after(async () => db?.drop());

  it('keeps every row, moves the offsets to the streaming schema and applies only what is new', async () => {
    const upgrade = await migrateLatest(db.knex);
    expect(upgrade.applied).to.deep.equal([
      'engine/0003_try_key.ts',
      'streaming/0002_streaming_schema.ts',
      'streaming/0003_dlq_replays.ts',
    ]);

    expect(await db.knex('inventory.products').pluck('sku')).to.deep.equal(['SKU-1']);
    expect(
      await db.knex('inventory.inventory_transactions').select('event_id', 'source_partition'),
    ).to.deep.equal([{ event_id: eventId, source_partition: 3 }]);
    expect(await db.knex('orchestrator.dag_runs').select('dag_id', 'version')).to.deep.equal([
      { dag_id: 'daily_inventory_etl', version: 2 },
    ]);
    const offsets = await db
      .knex('streaming.consumer_offsets')
      .select('group_id', 'partition', 'next_offset');
    expect(offsets).to.deep.equal([{ group_id: 'wareflow-sidecar', partition: 3, next_offset: 42 }]);
    expect(await tables(db)).not.to.include('inventory.consumer_offsets');

    expect((await migrateLatest(db.knex)).applied).to.deep.equal([]);
  });

  it('records the old migrations under their owners and keeps the old table aside', async () => {
    expect(await recorded(db, 'knex_migrations_engine')).to.deep.equal([
      '0001_orchestrator.ts',
      '0002_run_version.ts',
      '0003_try_key.ts',
    ]);
    expect(await recorded(db, 'knex_migrations_inventory')).to.have.members([
      '0001_inventory.ts',
      '0002_analytics.ts',
      '0003_source_partition.ts',
      '0004_dags.ts',
      '0005_cause_ids.ts',
    ]);
    expect(await recorded(db, 'knex_migrations_streaming')).to.deep.equal([
      '0001_consumer_offsets.ts',
      '0002_streaming_schema.ts',
      '0003_dlq_replays.ts',
    ]);
    expect(await recorded(db, 'knex_migrations_legacy')).to.have.length(7);
    const { rows } = await db.knex.raw("SELECT to_regclass('public.knex_migrations') AS t");
    expect(rows[0].t).to.equal(null);
  });

  it('ends with the same columns, constraints and indexes as a database migrated from scratch', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await shape(db)).to.deep.equal(await shape(fresh));
    } finally {
      await fresh.drop();
    }
  });

  it('rolls the move back as the last batch, keeping the offsets', async () => {
    expect((await migrateRollback(db.knex)).reverted).to.deep.equal([
      'streaming/0003_dlq_replays.ts',
      'streaming/0002_streaming_schema.ts',
      'engine/0003_try_key.ts',
    ]);
    expect(await db.knex('inventory.consumer_offsets').pluck('next_offset')).to.deep.equal([42]);
    expect((await migrateLatest(db.knex)).applied).to.deep.equal([
      'engine/0003_try_key.ts',
      'streaming/0002_streaming_schema.ts',
      'streaming/0003_dlq_replays.ts',
    ]);
    expect(await db.knex('streaming.consumer_offsets').pluck('next_offset')).to.deep.equal([42]);
  });
});

describe('rolling back a warehouse migrated before the split', () => {
  let db: TestDatabase;
  before(async () => {
    db = await legacyDatabase();
  });
  after(async () => db?.drop());

  it('adopts it first, so the last batch of the old runner is what gets reverted', async () => {
    const { reverted } = await migrateRollback(db.knex);
    expect(reverted).to.have.members(['inventory/0005_cause_ids.ts', 'engine/0002_run_version.ts']);
    const { rows } = await db.knex.raw(
      `SELECT count(*)::int AS n FROM information_schema.columns
       WHERE (table_name, column_name) IN (('alerts', 'alert_id'), ('dag_runs', 'version'))`,
    );
    expect(rows[0].n).to.equal(0);
    expect(await tables(db)).to.include('inventory.consumer_offsets');
  });
});
