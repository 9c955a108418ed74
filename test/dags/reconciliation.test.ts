import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { DEFAULT_RULE_PARAMS, QUALITY_RULES, runQualityRules } from '../../dags/data_quality/store/index.js';
import { insertFulfilmentEvents, type OrderEvent } from '../../inventory/fulfilment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { insertProducts, insertTransactions, insertWarehouses } from './fixtures.js';

const DAY = '2026-05-04';
const t = (hhmm: string) => new Date(`${DAY}T${hhmm}:00.000Z`);

/**
 * The order stream against the ledger (inventory/fulfilment/CONTRACT.md, "One picture"): the two
 * reconciliation rules of the data_quality DAG's consistency group, on a run whose interval is
 * [10:15, 10:45): they check what happened in [10:00, 10:30), the interval fifteen minutes back.
 */
describe('data_quality reconciliation of orders with the ledger', function () {
  let db: TestDatabase;
  const reservations: Record<string, string> = {};

  const order = (
    orderId: string,
    eventType: OrderEvent['eventType'],
    at: string,
    extra: Partial<OrderEvent> = {},
  ): OrderEvent => ({
    stream: 'orders',
    eventId: randomUUID(),
    eventType,
    orderId,
    warehouseId: 'W1',
    occurredAt: t(at),
    lines: null,
    promisedDispatchAt: null,
    customerId: null,
    sku: null,
    quantity: null,
    reason: null,
    ...extra,
  });
  const created = (orderId: string, at: string, sku: string) =>
    order(orderId, 'ORDER_CREATED', at, { lines: [{ sku, quantity: 2 }], promisedDispatchAt: t('23:00') });
  const reserved = (orderId: string, at: string, sku: string) =>
    order(orderId, 'LINE_RESERVED', at, { sku, quantity: 2 });
  const reservation = (name: string, reference: string, at: string, sku = 'S1', warehouse = 'W1') => {
    reservations[name] = randomUUID();
    return {
      event_id: reservations[name],
      sku,
      warehouse_id: warehouse,
      event_type: 'RESERVATION',
      quantity_change: 2,
      occurred_at: t(at),
      ingested_at: t(at),
      reference_id: reference,
    };
  };

  before(async function () {
    db = await createTestDatabase();
    await insertProducts(db.knex, [
      { sku: 'S1', lead_time_days: 7 },
      { sku: 'S2', lead_time_days: 7 },
    ]);
    await insertWarehouses(db.knex, ['W1', 'W2']);
    await insertFulfilmentEvents(db.knex, 'orders', [
      // The order stream of W1 starts at 09:00; W2 has none.
      created('ORDER-FIRST', '09:00', 'S2'),
      // A: a reservation and its line.
      created('ORDER-A', '10:04', 'S1'),
      reserved('ORDER-A', '10:05', 'S1'),
      // C: cancelled before the ledger reserved for it.
      created('ORDER-C', '09:30', 'S2'),
      order('ORDER-C', 'ORDER_CANCELLED', '10:00', { reason: 'customer' }),
      // D: a line reserved that the ledger never reserved.
      created('ORDER-D', '10:00', 'S1'),
      reserved('ORDER-D', '10:02', 'S1'),
      // E: a backorder, created and never reserved.
      created('ORDER-E', '10:03', 'S1'),
    ]);
    await insertTransactions(db.knex, [
      reservation('A', 'ORDER-A', '10:05'),
      reservation('B', 'ORDER-B', '10:10'),
      reservation('C', 'ORDER-C', '10:12', 'S2'),
      reservation('F', 'ORDER-F', '10:06', 'S1', 'W2'),
      reservation('G', 'ORDER-G', '10:40'),
      reservation('H', 'HOLD-1', '10:20'),
    ]);
  });
  after(async function () {
    await db?.drop();
  });

  const check = async (ruleId: string) => {
    const rules = QUALITY_RULES.consistency.filter((r) => r.id === ruleId);
    const [result] = await runQualityRules(db.knex, rules, {
      checkRunKey: `spec:${ruleId}`,
      start: t('10:15'),
      end: t('10:45'),
      params: DEFAULT_RULE_PARAMS,
    });
    return result!;
  };

  it('finds a reservation without any order line, and one whose order was cancelled before it', async function () {
    const r = await check('reservation_without_order_line');
    // A, B and C: W2 has no order stream yet, G is for the next run, HOLD-1 is no order.
    expect(r).to.include({ passed: false, failing_count: 2, checked_count: 3 });
    expect((r.sample as Array<{ event_id: string }>).map((s) => s.event_id)).to.deep.equal([
      reservations.B,
      reservations.C,
    ]);
  });

  it('finds an order line reserved without its reservation in the ledger, and leaves a backorder alone', async function () {
    const r = await check('order_line_without_reservation');
    expect(r).to.include({ passed: false, failing_count: 1, checked_count: 2 });
    expect(r.sample).to.deep.equal([
      {
        order_id: 'ORDER-D',
        sku: 'S1',
        warehouse_id: 'W1',
        quantity: 2,
        reserved_at: '2026-05-04T10:02:00+00:00', // jsonb's text of a timestamptz
      },
    ]);
  });

  it('passes once the missing facts arrive', async function () {
    await insertFulfilmentEvents(db.knex, 'orders', [
      created('ORDER-B', '10:09', 'S1'),
      reserved('ORDER-B', '10:10', 'S1'),
    ]);
    await insertTransactions(db.knex, [reservation('D', 'ORDER-D', '10:02')]);
    await db.knex('inventory.inventory_transactions').where({ event_id: reservations.C }).delete();
    expect(await check('reservation_without_order_line')).to.include({ passed: true, failing_count: 0 });
    expect(await check('order_line_without_reservation')).to.include({ passed: true, failing_count: 0 });
  });
});
