import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import {
  generateHistory,
  generateMasterData,
  generateToPostgres,
  type HistoryOptions,
} from '../../../inventory/generator/index.js';
import {
  DEFAULT_RULE_PARAMS,
  QUALITY_RULES,
  runQualityRules,
} from '../../../dags/data_quality/store/index.js';

const TO = '2026-02-01T00:00:00.000Z';
const DAYS = 45;
const OPTIONS = { seed: 21, skus: 12, warehouses: 3, days: DAYS, to: TO };
const FROM = new Date(Date.parse(TO) - DAYS * 86_400_000);
const LAG_MS = 15 * 60_000;

/** The generated order, shipment and audit streams agree with the ledger they were derived from. */
describe('generator: orders, shipments and audit from the same trade as the ledger', function () {
  let db: TestDatabase;
  const one = async (sql: string) => (await db.knex.raw(sql)).rows[0] as Record<string, number>;

  before(async function () {
    db = await createTestDatabase();
    await generateToPostgres(db.knex, OPTIONS);
  });
  after(async function () {
    await db?.drop();
  });

  it('writes an order line for every reservation with an order reference, at its time and quantity', async function () {
    const r = await one(`
      SELECT (SELECT count(*) FROM inventory.inventory_transactions
               WHERE event_type = 'RESERVATION' AND reference_id LIKE 'ORDER-%')::int AS reservations,
             (SELECT count(*) FROM inventory.order_lines WHERE reserved_at IS NOT NULL)::int AS reserved_lines,
             (SELECT count(*) FROM inventory.inventory_transactions t
               WHERE t.event_type = 'RESERVATION' AND t.reference_id LIKE 'ORDER-%'
                 AND NOT EXISTS (SELECT 1 FROM inventory.order_lines l
                                  WHERE l.order_id = t.reference_id AND l.sku = t.sku AND l.warehouse_id = t.warehouse_id
                                    AND l.reserved_at = t.occurred_at AND l.reserved_quantity = t.quantity_change))::int AS unmatched`);
    expect(r.reservations).to.be.greaterThan(50);
    expect(r).to.include({ reserved_lines: r.reservations, unmatched: 0 });
  });

  it('gives every picked line the SALE of its fulfilment, and every cancelled order the release of its reservation', async function () {
    const r = await one(`
      SELECT (SELECT count(*) FROM inventory.order_lines WHERE picked_at IS NOT NULL)::int AS picked,
             (SELECT count(*) FROM inventory.order_lines l WHERE l.picked_at IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM inventory.inventory_transactions t
                 WHERE t.event_type = 'SALE' AND t.reference_id = l.order_id AND t.sku = l.sku
                   AND t.warehouse_id = l.warehouse_id AND t.occurred_at = l.picked_at
                   AND t.quantity_change = -l.picked_quantity))::int AS picks_without_sale,
             (SELECT count(*) FROM inventory.orders o JOIN inventory.order_lines l USING (order_id)
               WHERE o.cancel_reason = 'customer' AND NOT EXISTS (
                SELECT 1 FROM inventory.inventory_transactions t
                 WHERE t.event_type = 'RESERVATION_RELEASE' AND t.reference_id = o.order_id AND t.sku = l.sku
                   AND t.occurred_at = o.cancelled_at AND t.notes = 'Reservation cancelled'))::int AS cancels_without_release,
             (SELECT count(*) FROM inventory.orders WHERE cancel_reason = 'customer')::int AS cancelled`);
    expect(r.picked).to.be.greaterThan(30);
    expect(r.cancelled).to.be.greaterThan(0);
    expect(r).to.include({ picks_without_sale: 0, cancels_without_release: 0 });
  });

  it('keeps each order’s steps in time order and inside the history window', async function () {
    const r = await one(`
      SELECT count(*) FILTER (WHERE NOT (o.created_at <= l.reserved_at AND l.reserved_at < l.picked_at
                                         AND l.picked_at < o.packed_at AND o.packed_at < s.dispatched_at
                                         AND s.dispatched_at < s.in_transit_at
                                         AND (s.delivered_at IS NULL OR s.in_transit_at < s.delivered_at)))::int AS out_of_order,
             count(*)::int AS shipped
        FROM inventory.orders o JOIN inventory.order_lines l USING (order_id) JOIN inventory.shipments s USING (order_id)
       WHERE s.in_transit_at IS NOT NULL`);
    expect(r.shipped).to.be.greaterThan(20);
    expect(r.out_of_order).to.equal(0);
    const bounds = await one(`
      SELECT (SELECT min(occurred_at) FROM (SELECT occurred_at FROM inventory.order_events UNION ALL
              SELECT occurred_at FROM inventory.shipment_events UNION ALL SELECT occurred_at FROM inventory.audit_events) e) AS first,
             (SELECT max(occurred_at) FROM (SELECT occurred_at FROM inventory.order_events UNION ALL
              SELECT occurred_at FROM inventory.shipment_events UNION ALL SELECT occurred_at FROM inventory.audit_events) e) AS last`);
    expect((bounds.first as unknown as Date).getTime()).to.be.at.least(FROM.getTime());
    expect((bounds.last as unknown as Date).getTime()).to.be.below(Date.parse(TO));
  });

  it('audits every adjustment of the ledger, the opening counts included', async function () {
    const r = await one(`
      SELECT (SELECT count(*) FROM inventory.inventory_transactions WHERE event_type = 'ADJUSTMENT')::int AS adjustments,
             (SELECT count(*) FROM inventory.audit_events WHERE event_type IN ('STOCK_COUNT', 'MANUAL_ADJUSTMENT'))::int AS audited,
             (SELECT count(*) FROM inventory.inventory_transactions t WHERE t.event_type = 'ADJUSTMENT' AND NOT EXISTS (
                SELECT 1 FROM inventory.audit_events a WHERE a.sku = t.sku AND a.warehouse_id = t.warehouse_id
                   AND a.occurred_at = t.occurred_at
                   AND coalesce(a.quantity_change, a.counted_quantity) = t.quantity_change))::int AS unaudited`);
    expect(r.adjustments).to.be.greaterThan(36);
    expect(r).to.include({ audited: r.adjustments, unaudited: 0 });
  });

  it('passes both reconciliation rules over the whole history', async function () {
    const rules = QUALITY_RULES.consistency.filter((r) =>
      ['reservation_without_order_line', 'order_line_without_reservation'].includes(r.id),
    );
    expect(rules).to.have.length(2);
    const results = await runQualityRules(db.knex, rules, {
      checkRunKey: 'generated-history',
      start: new Date(FROM.getTime() + LAG_MS),
      end: new Date(Date.parse(TO) + LAG_MS),
      params: DEFAULT_RULE_PARAMS,
    });
    for (const r of results) {
      expect(r.checked_count, r.rule_id).to.be.greaterThan(50);
      expect(r, r.rule_id).to.include({ passed: true, failing_count: 0 });
    }
  });

  it('writes the same events over several connections at once, every order within one of them', async function () {
    const ids = async () =>
      (
        await db.knex.raw(`SELECT array_agg(event_id ORDER BY event_id) AS ids FROM (
        SELECT event_id FROM inventory.order_events UNION ALL SELECT event_id FROM inventory.shipment_events
        UNION ALL SELECT event_id FROM inventory.audit_events) e`)
      ).rows[0].ids as string[];
    const projection = async () =>
      (
        await db.knex.raw(`SELECT count(*)::int AS n, sum(ordered_quantity)::int AS units,
        count(picked_at)::int AS picked FROM inventory.order_lines`)
      ).rows[0];
    const [before, lines] = [await ids(), await projection()];
    await generateToPostgres(db.knex, { ...OPTIONS, connections: 3, batchSize: 500 });
    expect(await ids()).to.deep.equal(before);
    expect(await projection()).to.deep.equal(lines);
  });

  it('replaces its orders when the same history is written again, and leaves the ledger of a seed as it was without them', async function () {
    const before = await one(`SELECT (SELECT count(*) FROM inventory.order_events)::int AS o,
      (SELECT count(*) FROM inventory.shipment_events)::int AS s, (SELECT count(*) FROM inventory.audit_events)::int AS a`);
    await generateToPostgres(db.knex, OPTIONS);
    expect(
      await one(`SELECT (SELECT count(*) FROM inventory.order_events)::int AS o,
      (SELECT count(*) FROM inventory.shipment_events)::int AS s, (SELECT count(*) FROM inventory.audit_events)::int AS a`),
    ).to.deep.equal(before);

    const master = generateMasterData({ seed: 21, skus: 4, warehouses: 2 });
    const options: HistoryOptions = { seed: 21, master, from: FROM, to: TO };
    const ledger = (fulfilment: boolean) =>
      [...generateHistory({ ...options, fulfilment })].flatMap((b) => b.transactions);
    const withFeed = [...generateHistory(options)];
    expect(withFeed.flatMap((b) => b.fulfilment).length).to.be.greaterThan(0);
    expect(ledger(false)).to.deep.equal(ledger(true));
  });
});
