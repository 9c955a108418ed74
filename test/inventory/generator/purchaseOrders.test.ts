import { expect } from 'chai';
import { writeDailySnapshots, writeProcessedMetrics } from '../../../dags/daily_inventory_etl/store/index.js';
import { writeDayForecasts } from '../../../dags/daily_inventory_etl/demandForecast.js';
import { STOCKOUT_ALERT_AT } from '../../../inventory/alerts/index.js';
import { stockoutProbability } from '../../../inventory/analytics/index.js';
import { recordLowStockAlerts } from '../../../dags/low_stock_alerts/store/index.js';
import { onOrderCte } from '../../../inventory/analytics/index.js';
import { generateToPostgres } from '../../../inventory/generator/index.js';
import { loadOpenOrders, pairId } from '../../../streaming/store/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

const TO = '2026-03-01';
const OPTIONS = { seed: 7, skus: 6, warehouses: 2, days: 60, to: `${TO}T00:00:00Z` } as const;

const orderRows = (db: TestDatabase) =>
  db
    .knex('inventory.purchase_orders')
    .select(
      'kind',
      'reference_id',
      'sku',
      'warehouse_id',
      'source_warehouse_id',
      'quantity',
      'ordered_at',
      'expected_at',
      'cancelled_at',
    )
    .orderBy(['sku', 'warehouse_id', 'ordered_at', 'reference_id']);

async function onOrderAt(db: TestDatabase, at: string): Promise<Map<string, number>> {
  const { rows } = await db.knex.raw(
    `WITH ${onOrderCte('CAST(:at AS timestamptz)')} SELECT sku, warehouse_id, units FROM on_order`,
    { at },
  );
  return new Map(
    rows.map((r: { sku: string; warehouse_id: string; units: number }) => [
      `${r.sku}|${r.warehouse_id}`,
      r.units,
    ]),
  );
}

describe('open replenishment: the generated order feed, on order as of a time, and its use', function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async function () {
    db = await createTestDatabase();
    await generateToPostgres(db.knex, OPTIONS);
  });

  after(async function () {
    await db?.drop();
  });

  it('writes the orders with the ledger, the same for the same seed, each receipt matching one', async function () {
    const first = await orderRows(db);
    expect(first.length).to.be.above(10);
    expect(first.some((o) => o.kind === 'purchase')).to.equal(true);
    const ledgerBefore = await db.knex('inventory.inventory_transactions').count('* as n').first();
    await generateToPostgres(db.knex, OPTIONS);
    expect(await orderRows(db)).to.deep.equal(first);
    expect(await db.knex('inventory.inventory_transactions').count('* as n').first()).to.deep.equal(
      ledgerBefore,
    );
    // Every receipt row names an order of its pair, placed before it, and never exceeds it.
    const { rows } = await db.knex.raw(`
      SELECT t.reference_id, sum(t.quantity_change)::int AS received, max(o.quantity) AS quantity,
             count(o.*) AS orders, bool_and(o.ordered_at <= t.occurred_at) AS after_order
      FROM inventory.inventory_transactions t
      LEFT JOIN inventory.purchase_orders o
        ON o.sku = t.sku AND o.warehouse_id = t.warehouse_id AND o.reference_id = t.reference_id
      WHERE t.event_type IN ('RESTOCK', 'TRANSFER_IN') GROUP BY t.sku, t.warehouse_id, t.reference_id`);
    expect(rows.length).to.be.above(5);
    for (const r of rows) {
      expect(Number(r.orders), r.reference_id).to.be.above(0);
      expect(r.after_order, r.reference_id).to.equal(true);
      expect(r.received).to.be.at.most(r.quantity);
    }
  });

  it('counts an order from its placing until its receipts, and a cancelled transfer until it is cancelled', async function () {
    const [w1, w2] = ['WAREHOUSE-001', 'WAREHOUSE-002'];
    const { sku } = (await db.knex('inventory.products').first('sku'))!;
    await db.knex('inventory.purchase_orders').insert([
      {
        kind: 'purchase',
        reference_id: 'PO-T1',
        sku,
        warehouse_id: w1,
        quantity: 100,
        ordered_at: '2030-01-01T10:00:00Z',
        expected_at: '2030-01-05T00:00:00Z',
      },
      {
        kind: 'transfer',
        reference_id: 'TRF-T2',
        sku,
        warehouse_id: w2,
        source_warehouse_id: w1,
        quantity: 30,
        ordered_at: '2030-01-01T10:00:00Z',
        expected_at: '2030-01-04T00:00:00Z',
        cancelled_at: '2030-01-02T09:00:00Z',
      },
    ]);
    await db.knex('inventory.inventory_transactions').insert({
      event_id: '00000000-0000-4000-8000-000000000001',
      sku,
      warehouse_id: w1,
      event_type: 'RESTOCK',
      quantity_change: 60,
      occurred_at: '2030-01-05T08:00:00Z',
      reference_id: 'PO-T1',
    });
    const key1 = `${sku}|${w1}`;
    const key2 = `${sku}|${w2}`;
    const before = await onOrderAt(db, '2030-01-01T09:59:59Z');
    const placed = await onOrderAt(db, '2030-01-01T12:00:00Z');
    const partly = await onOrderAt(db, '2030-01-05T09:00:00Z');
    expect(placed.get(key1)! - (before.get(key1) ?? 0)).to.equal(100);
    expect(placed.get(key2)! - (before.get(key2) ?? 0)).to.equal(30);
    expect(partly.get(key1)! - (before.get(key1) ?? 0)).to.equal(40);
    expect((partly.get(key2) ?? 0) - (before.get(key2) ?? 0)).to.equal(0);
    // The stream's loader sees the same order with 40 units left, to be judged by event time.
    const open = await loadOpenOrders(db.knex, [{ sku, warehouseId: w1 }], pairId);
    expect(open.get(pairId(sku, w1))!.find((o) => o.reference === 'PO-T1')).to.include({
      remaining: 40,
      orderedAt: Date.parse('2030-01-01T10:00:00Z'),
    });
    await db.knex('inventory.inventory_transactions').where({ reference_id: 'PO-T1' }).delete();
    await db.knex('inventory.purchase_orders').whereIn('reference_id', ['PO-T1', 'TRF-T2']).delete();
  });

  it('the daily ETL stores on order and the stock-out probability for every pair-day', async function () {
    // As transform_and_load: the day's forecast first, then the metrics planned on it.
    for (const day of ['2026-02-20', '2026-02-21']) {
      await writeDailySnapshots(db.knex, day);
      await writeDayForecasts(db.knex, day);
      await writeProcessedMetrics(db.knex, day);
    }
    const rows = await db.knex('analytics.processed_metrics').select('*');
    expect(rows.length).to.equal(2 * 6 * 2);
    const expected = await onOrderAt(db, '2026-02-22T00:00:00Z');
    for (const r of rows) {
      expect(r.stockout_probability).to.be.within(0, 1);
      if (
        String(r.as_of_date instanceof Date ? r.as_of_date.toISOString() : r.as_of_date).startsWith(
          '2026-02-21',
        )
      )
        expect(r.quantity_on_order).to.equal(expected.get(`${r.sku}|${r.warehouse_id}`) ?? 0);
    }
  });

  it('check_low_stock does not alert a pair whose fresh order covers it, and does alert it without one', async function () {
    const asOf = new Date('2026-02-22T06:00:00Z');
    const rows = await db
      .knex('analytics.processed_metrics as m')
      .join('inventory.products as p', 'p.sku', 'm.sku')
      .where({ as_of_date: '2026-02-21' })
      .where('lead_time_demand_sigma', '>', 0)
      .select('m.*', 'p.lead_time_days');
    // The stock each pair may hold and still be at the alert threshold without an order; a pair
    // for which that is at least a day of its demand (so an order landing today covers it).
    const atRisk = (r: (typeof rows)[number], available: number) =>
      stockoutProbability(
        { available, onOrder: 0, daysToNextReceipt: null, leadTimeDays: r.lead_time_days },
        { mean: r.lead_time_demand_mean, sigma: r.lead_time_demand_sigma },
      ) >= STOCKOUT_ALERT_AT;
    const most = (r: (typeof rows)[number]) => {
      let n = Math.ceil(r.lead_time_demand_mean);
      while (n > 0 && !atRisk(r, n)) n--;
      return n;
    };
    const pair = rows.find((r) => most(r) >= Math.max(1, r.lead_time_demand_mean / r.lead_time_days))!;
    expect(pair, 'a pair to judge').to.not.equal(undefined);
    // Drop the pair's own orders, bring its stock down to that level, then judge it twice.
    await db
      .knex('inventory.purchase_orders')
      .where({ sku: pair.sku, warehouse_id: pair.warehouse_id })
      .delete();
    // The check takes stock at asOf as today's level less the changes after it.
    const { rows: after } = await db.knex.raw(
      `SELECT coalesce(sum(quantity_change) FILTER (WHERE event_type NOT IN ('RESERVATION','RESERVATION_RELEASE')), 0)::int AS on_hand,
              coalesce(sum(quantity_change) FILTER (WHERE event_type IN ('RESERVATION','RESERVATION_RELEASE')), 0)::int AS reserved
       FROM inventory.inventory_transactions WHERE sku = ? AND warehouse_id = ? AND occurred_at >= ?`,
      [pair.sku, pair.warehouse_id, asOf],
    );
    await db
      .knex('inventory.inventory_levels')
      .where({ sku: pair.sku, warehouse_id: pair.warehouse_id })
      .update({ quantity_on_hand: most(pair) + after[0].on_hand, quantity_reserved: after[0].reserved });
    const alerted = async (runKey: string) => {
      await recordLowStockAlerts(db.knex, { asOf, cooldownHours: 0, runKey });
      return db
        .knex('analytics.alerts')
        .where({ sku: pair.sku, warehouse_id: pair.warehouse_id })
        .whereRaw(`details->>'run_key' = ?`, [runKey])
        .first();
    };
    await db.knex('inventory.purchase_orders').insert({
      kind: 'purchase',
      reference_id: 'PO-FRESH',
      sku: pair.sku,
      warehouse_id: pair.warehouse_id,
      quantity: Math.ceil(pair.lead_time_demand_mean * 3 + 50),
      ordered_at: '2026-02-21T20:00:00Z',
      expected_at: '2026-02-22T12:00:00Z',
    });
    expect(await alerted('covered')).to.equal(undefined);
    await db.knex('inventory.purchase_orders').where({ reference_id: 'PO-FRESH' }).delete();
    const alert = await alerted('bare');
    expect(alert, 'alerted without the order').to.not.equal(undefined);
    expect(alert.details.stockout_probability).to.be.at.least(STOCKOUT_ALERT_AT);
  });
});
