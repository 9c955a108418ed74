import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { LedgerEvent } from '../../streaming/store/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { applyAsSidecar, LEDGER_WRITE_PATHS } from './ledgerWrite.js';
import { seedMasterData, type TestMaster } from './support.js';

/** Both ways in (LEDGER_WRITE_PATHS) must leave the same ledger and levels. */

describe('streaming: the ledger write', function () {
  this.timeout(60_000);
  for (const [way, copyMinEvents] of LEDGER_WRITE_PATHS) {
    describe(`by ${way}`, function () {
      let db: TestDatabase;
      let master: TestMaster;

      before(async function () {
        db = await createTestDatabase();
        master = await seedMasterData(db.knex, { skus: 2, warehouses: 1 });
      });

      after(async function () {
        await db?.drop();
      });

      const event = (over: Partial<LedgerEvent> = {}): LedgerEvent => ({
        eventId: randomUUID(),
        sku: master.skus[0]!,
        warehouseId: master.warehouses[0]!,
        eventType: 'RESTOCK',
        quantityChange: 10,
        occurredAt: new Date('2026-11-20T10:15:30.123Z'),
        referenceId: null,
        notes: null,
        ...over,
      });
      const apply = (events: LedgerEvent[], partition: number | null = 3, triggers = false) =>
        db.knex.transaction((trx) => applyAsSidecar(trx, events, { partition, copyMinEvents, triggers }));
      const stored = (ids: string[]) =>
        db
          .knex('inventory.inventory_transactions')
          .whereIn('event_id', ids)
          .orderBy('occurred_at')
          .select(
            'event_id',
            'sku',
            'event_type',
            'quantity_change',
            'occurred_at',
            'reference_id',
            'notes',
            'source_partition',
          );
      const level = async (sku: string) =>
        db
          .knex('inventory.inventory_levels')
          .where({ sku, warehouse_id: master.warehouses[0] })
          .first('quantity_on_hand', 'quantity_reserved', 'last_event_at');

      it('stores every field of new events exactly, and moves on-hand and reserved by their sums', async function () {
        const sku = master.skus[0]!;
        const events = [
          event({ quantityChange: 40, referenceId: 'PO-1', notes: 'tab\there, quote " and é' }),
          event({ eventType: 'SALE', quantityChange: -3, occurredAt: new Date('2026-11-20T10:16:00.999Z') }),
          event({
            eventType: 'RESERVATION',
            quantityChange: 5,
            occurredAt: new Date('1999-12-31T23:59:59.001Z'),
          }),
        ];
        const result = await apply(events);
        expect(result.written).to.equal(way === 'binary COPY' ? 'copy' : 'insert');
        expect(result.skippedIds.size).to.equal(0);
        expect(result.orphans.size).to.equal(0);
        expect(result.levels).to.deep.equal([
          { sku, warehouseId: master.warehouses[0], onHand: 37, reserved: 5 },
        ]);

        const rows = await stored(events.map((e) => e.eventId));
        expect(rows).to.deep.equal(
          [events[2]!, events[0]!, events[1]!].map((e) => ({
            event_id: e.eventId,
            sku: e.sku,
            event_type: e.eventType,
            quantity_change: e.quantityChange,
            occurred_at: e.occurredAt,
            reference_id: e.referenceId,
            notes: e.notes,
            source_partition: 3,
          })),
        );
        expect(await level(sku)).to.deep.equal({
          quantity_on_hand: 37,
          quantity_reserved: 5,
          last_event_at: new Date('2026-11-20T10:16:00.999Z'),
        });
      });

      it('skips ids the ledger already holds, inserts an id repeated in the batch once, and moves levels by the new rows only', async function () {
        const sku = master.skus[1]!;
        const first = event({ sku, quantityChange: 100 });
        await apply([first]);
        const fresh = event({ sku, eventType: 'SALE', quantityChange: -7 });
        const result = await apply([fresh, { ...first }, { ...fresh }], null);
        expect(result.written).to.equal('insert');
        expect([...result.skippedIds]).to.deep.equal([first.eventId]);
        expect(result.levels).to.deep.equal([
          { sku, warehouseId: master.warehouses[0], onHand: 93, reserved: 0 },
        ]);
        const rows = await stored([first.eventId, fresh.eventId]);
        expect(rows.map((r) => [r.event_id, r.source_partition])).to.have.deep.members([
          [first.eventId, 3],
          [fresh.eventId, null],
        ]);
      });

      it('stores an event once across monthly partitions: a redelivery and a reuse of its id in the next month are both skipped', async function () {
        const sku = master.skus[1]!;
        const before = (await level(sku))!.quantity_on_hand;
        const last = event({ sku, quantityChange: 11, occurredAt: new Date('2026-11-30T23:59:59.999Z') });
        const next = { ...last, occurredAt: new Date('2026-12-01T00:00:00.000Z') };
        expect((await apply([last])).skippedIds.size).to.equal(0);
        for (const again of [[{ ...last }], [next], [{ ...next }, { ...last }]]) {
          const result = await apply(again);
          expect(result.written).to.equal('insert');
          expect([...result.skippedIds]).to.deep.equal([last.eventId]);
          expect(result.levels).to.deep.equal([]);
        }
        const { rows } = await db.knex.raw(
          `SELECT tableoid::regclass::text AS partition, occurred_at FROM inventory.inventory_transactions
            WHERE event_id = ?`,
          [last.eventId],
        );
        expect(rows).to.deep.equal([
          { partition: 'inventory.inventory_transactions_p202611', occurred_at: last.occurredAt },
        ]);
        const registered = await db.knex('inventory.ledger_event_ids').where({ event_id: last.eventId });
        expect(registered).to.deep.equal([{ event_id: last.eventId, occurred_at: last.occurredAt }]);
        expect((await level(sku))!.quantity_on_hand).to.equal(before + 11);
      });

      for (const triggers of [false, true]) {
        it(`writes nothing for an event whose product is gone and reports it, while the rest goes in (foreign-key triggers ${triggers ? 'on' : 'off'})`, async function () {
          const sku = master.skus[0]!;
          const before = await level(sku);
          const good = event({ quantityChange: 1 });
          const orphan = event({ sku: `${master.prefix}-GONE` });
          const result = await apply([good, orphan], 3, triggers);
          expect(result.written).to.equal('insert');
          expect([...result.orphans]).to.deep.equal([[orphan.eventId, 'sku']]);
          expect((await stored([good.eventId, orphan.eventId])).map((r) => r.event_id)).to.deep.equal([
            good.eventId,
          ]);
          expect((await level(sku))!.quantity_on_hand).to.equal(before!.quantity_on_hand + 1);
        });
      }
    });
  }
});
