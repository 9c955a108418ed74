import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { LedgerEvent } from '../../streaming/store/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { applyAsSidecar, LEDGER_WRITE_PATHS } from './ledgerWrite.js';
import { seedMasterData, type TestMaster } from './support.js';

/**
 * The ledger write against a product deleted at the same time. The sidecar's sessions skip the
 * per-row foreign-key triggers, so the write itself must keep a concurrent delete from leaving
 * ledger rows or levels without their product.
 */
describe('streaming: the ledger write beside a delete of its product', function () {
  this.timeout(60_000);
  for (const [way, copyMinEvents] of LEDGER_WRITE_PATHS) {
    describe(`by ${way}`, function () {
      let db: TestDatabase;
      let master: TestMaster;

      before(async function () {
        db = await createTestDatabase();
        master = await seedMasterData(db.knex, { skus: 1, warehouses: 1 });
      });

      after(async function () {
        await db?.drop();
      });

      /** A product with a stored level and no ledger rows: one that a delete can remove. */
      const productWithLevel = async (): Promise<string> => {
        const sku = `${master.prefix}-D${randomUUID().slice(0, 8).toUpperCase()}`;
        await db.knex('inventory.products').insert({
          sku,
          name: sku,
          category: 'test',
          unit_cost: 1,
          unit_price: 2,
          lead_time_days: 7,
        });
        await db.knex('inventory.inventory_levels').insert({
          sku,
          warehouse_id: master.warehouses[0],
          quantity_on_hand: 5,
        });
        return sku;
      };
      const event = (sku: string): LedgerEvent => ({
        eventId: randomUUID(),
        sku,
        warehouseId: master.warehouses[0]!,
        eventType: 'RESTOCK',
        quantityChange: 10,
        occurredAt: new Date(),
        referenceId: null,
        notes: null,
      });
      const write = (trx: Knex.Transaction, events: LedgerEvent[]) =>
        applyAsSidecar(trx, events, { partition: 3, copyMinEvents });
      /** Polls until a backend of the test database waits for a lock. */
      const someoneWaits = async () => {
        const deadline = Date.now() + 10_000;
        for (;;) {
          const { rows } = await db.knex.raw<{ rows: unknown[] }>(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          if (rows.length > 0) return;
          if (Date.now() > deadline) throw new Error('no backend waited for a lock within 10 s');
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      const ledgerRows = (sku: string) => db.knex('inventory.inventory_transactions').where({ sku });

      it('waits for a delete of the product and its level in progress, then reports its events as orphans and writes the rest', async function () {
        const gone = await productWithLevel();
        const kept = await productWithLevel();
        const deleter = await db.knex.transaction();
        await deleter('inventory.inventory_levels').where({ sku: gone }).delete();
        await deleter('inventory.products').where({ sku: gone }).delete();
        const orphan = event(gone);
        const good = event(kept);
        const chunk = await db.knex.transaction();
        const writing = write(chunk, [orphan, good]);
        await someoneWaits();
        await deleter.commit();
        const result = await writing;
        await chunk.commit();
        expect([...result.orphans]).to.deep.equal([[orphan.eventId, 'sku']]);
        expect(await ledgerRows(gone)).to.have.length(0);
        expect(await db.knex('inventory.inventory_levels').where({ sku: gone })).to.have.length(0);
        expect((await ledgerRows(kept)).map((r: { event_id: string }) => r.event_id)).to.deep.equal([
          good.eventId,
        ]);
      });

      it('makes a delete of the product and its level wait for the chunk, which then fails on the ledger rows', async function () {
        const sku = await productWithLevel();
        const chunk = await db.knex.transaction();
        const result = await write(chunk, [event(sku)]);
        expect(result.orphans.size).to.equal(0);
        const deleter = await db.knex.transaction();
        const deleting = (async () => {
          await deleter('inventory.inventory_levels').where({ sku }).delete();
          await deleter('inventory.products').where({ sku }).delete();
        })();
        await someoneWaits();
        await chunk.commit();
        const refused = await deleting.then(
          () => undefined,
          (err: { code?: string }) => err,
        );
        await deleter.rollback().catch(() => undefined);
        expect(refused?.code).to.equal('23503');
        expect(await ledgerRows(sku)).to.have.length(1);
        expect(await db.knex('inventory.products').where({ sku })).to.have.length(1);
      });
    });
  }
});
