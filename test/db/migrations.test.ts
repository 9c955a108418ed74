import { expect } from 'chai';
import { migrateLatest, migrateRollback } from '../../db/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

async function tables(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.knex.raw(`
    SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
    WHERE table_schema IN ('inventory', 'analytics', 'orchestrator') ORDER BY 1`);
  return rows.map((r: { name: string }) => r.name);
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
    ]);
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
