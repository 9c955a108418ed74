import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { dataQuality } from '../../dags/index.js';
import type { Knex } from '../../platform/index.js';
import { insertFulfilmentEvents, type OrderEvent } from '../../inventory/fulfilment/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import {
  insertProducts,
  insertTransactions,
  insertWarehouses,
  syncLevelsFromLedger,
  type TxRow,
} from './fixtures.js';
import {
  createTestServices,
  runDagLocally,
  startSmtpServer,
  stepLine,
  type TestServices,
} from './harness.js';

const HALF_HOUR = 30 * 60_000;
const END = new Date(Math.floor(Date.now() / HALF_HOUR) * HALF_HOUR);
const I0 = { start: new Date(END.getTime() - HALF_HOUR), end: END };
const minutesBefore = (m: number) => new Date(END.getTime() - m * 60_000);
const ALL_RULES = [
  'duplicate_transactions',
  'invalid_transactions',
  'orphan_references',
  'negative_on_hand',
  'negative_reserved',
  'negative_reorder_point',
  'reserved_exceeds_on_hand',
  'missing_product_data',
  'missing_warehouse_data',
  'missing_inventory_level',
  'stale_data',
  'ingestion_gap',
  'on_hand_mismatch',
  'future_timestamps',
  'timestamps_out_of_order',
  'reservation_without_order_line',
  'order_line_without_reservation',
];

const tx = (
  sku: string,
  warehouse_id: string,
  event_type: string,
  quantity_change: number,
  minutes: number,
): TxRow => ({
  sku,
  warehouse_id,
  event_type,
  quantity_change,
  occurred_at: minutesBefore(minutes),
  ingested_at: minutesBefore(minutes),
  reference_id: `REF-${sku}-${warehouse_id}-${minutes}`,
});

const ALWAYS_OPEN = { weekend_operation: true, business_hours_start: '00:00', business_hours_end: '24:00' };

/** An order's creation and the reservation of its one line, `minutes` before the interval's end. */
const orderedAndReserved = (
  orderId: string,
  sku: string,
  warehouseId: string,
  minutes: number,
): OrderEvent[] =>
  (['ORDER_CREATED', 'LINE_RESERVED'] as const).map((eventType) => ({
    stream: 'orders',
    eventId: randomUUID(),
    eventType,
    orderId,
    warehouseId,
    occurredAt: minutesBefore(minutes),
    lines: eventType === 'ORDER_CREATED' ? [{ sku, quantity: 2 }] : null,
    promisedDispatchAt: eventType === 'ORDER_CREATED' ? minutesBefore(minutes - 3 * 24 * 60) : null,
    customerId: null,
    sku: eventType === 'LINE_RESERVED' ? sku : null,
    quantity: eventType === 'LINE_RESERVED' ? 2 : null,
    reason: null,
  }));

/** Adds a transaction and moves the level with it, so on-hand stays equal to the ledger. */
async function applyTx(knex: Knex, row: TxRow) {
  await insertTransactions(knex, [row]);
  const column = row.event_type.startsWith('RESERVATION') ? 'quantity_reserved' : 'quantity_on_hand';
  await knex('inventory.inventory_levels')
    .where({ sku: row.sku, warehouse_id: row.warehouse_id })
    .increment(column, row.quantity_change);
}

interface Injection {
  rule: string;
  conf?: Record<string, unknown>;
  apply(knex: Knex): PromiseLike<unknown>;
}

/** One bad row (or setting) per rule, each touching nothing any other rule looks at. */
const INJECTIONS: Injection[] = [
  {
    rule: 'duplicate_transactions',
    apply: async (k) => {
      const original = await k('inventory.inventory_transactions')
        .where({ sku: 'S1', warehouse_id: 'W1', event_type: 'SALE' })
        .first();
      const { event_id: _e, ingested_at, ...copy } = original;
      await applyTx(k, { ...copy, ingested_at });
    },
  },
  {
    rule: 'invalid_transactions',
    apply: async (k) => {
      // The schema refuses a wrong sign; the rule is the safety net for rows loaded around it.
      await k.raw(
        'ALTER TABLE inventory.inventory_transactions DROP CONSTRAINT inventory_transactions_sign_check',
      );
      await applyTx(k, tx('S2', 'W1', 'SALE', 3, 5));
    },
  },
  {
    rule: 'orphan_references',
    apply: (k) =>
      k.transaction(async (trx) => {
        await trx.raw('SET LOCAL session_replication_role = replica'); // skips the foreign-key triggers
        await trx('inventory.inventory_levels').insert({ sku: 'GHOST', warehouse_id: 'W1' });
      }),
  },
  { rule: 'negative_on_hand', apply: (k) => applyTx(k, tx('S1', 'W2', 'SALE', -105, 3)) },
  { rule: 'negative_reserved', apply: (k) => applyTx(k, tx('S2', 'W2', 'RESERVATION_RELEASE', -2, 3)) },
  {
    rule: 'negative_reorder_point',
    apply: (k) =>
      k('inventory.inventory_levels').where({ sku: 'S3', warehouse_id: 'W1' }).update({ reorder_point: -1 }),
  },
  { rule: 'reserved_exceeds_on_hand', apply: (k) => applyTx(k, tx('S3', 'W2', 'RESERVATION', 500, 3)) },
  {
    rule: 'missing_product_data',
    apply: (k) => k('inventory.products').where({ sku: 'S2' }).update({ name: ' ' }),
  },
  {
    rule: 'missing_warehouse_data',
    apply: (k) => k('inventory.warehouses').where({ warehouse_id: 'W2' }).update({ zone: '' }),
  },
  {
    rule: 'missing_inventory_level',
    apply: async (k) => {
      await insertProducts(k, [{ sku: 'LONELY', lead_time_days: 1 }]);
      await insertTransactions(k, [tx('LONELY', 'W1', 'RESTOCK', 5, 4)]);
    },
  },
  {
    // Silence counts only while a warehouse is open: W1 opens round the clock, so any day will do.
    rule: 'stale_data',
    conf: { staleAfterMinutes: 1 },
    apply: (k) => k('inventory.warehouses').where({ warehouse_id: 'W1' }).update(ALWAYS_OPEN),
  },
  {
    // A round-the-clock site that took 60 receipts in a week has been silent for three days.
    rule: 'ingestion_gap',
    apply: async (k) => {
      await insertWarehouses(k, ['W9']);
      await k('inventory.warehouses').where({ warehouse_id: 'W9' }).update(ALWAYS_OPEN);
      await insertTransactions(
        k,
        Array.from({ length: 60 }, (_, i) => tx('S1', 'W9', 'RESTOCK', 1, 3 * 24 * 60 + i * 168)),
      );
      await k('inventory.inventory_levels').insert({ sku: 'S1', warehouse_id: 'W9', quantity_on_hand: 60 });
    },
  },
  {
    rule: 'on_hand_mismatch',
    apply: (k) =>
      k('inventory.inventory_levels')
        .where({ sku: 'S1', warehouse_id: 'W1' })
        .increment('quantity_on_hand', 1),
  },
  {
    rule: 'future_timestamps',
    apply: (k) => applyTx(k, { ...tx('S2', 'W1', 'RESTOCK', 1, 2), ingested_at: minutesBefore(180) }),
  },
  {
    // W1's order stream has started (ORDER-CLEAN): a reservation for an order it never had.
    rule: 'reservation_without_order_line',
    apply: (k) => applyTx(k, { ...tx('S2', 'W1', 'RESERVATION', 1, 20), reference_id: 'ORDER-GHOST' }),
  },
  {
    rule: 'order_line_without_reservation',
    apply: (k) => insertFulfilmentEvents(k, 'orders', orderedAndReserved('ORDER-LOST', 'S3', 'W2', 20)),
  },
  {
    rule: 'timestamps_out_of_order',
    apply: (k) =>
      k.raw(`UPDATE inventory.products SET updated_at = created_at - interval '1 day' WHERE sku = 'S3'`),
  },
];

describe('data_quality', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => smtp?.close());

  /** A clean warehouse: 3 SKUs × 2 warehouses, stocked three days ago, one sale each in the interval. */
  async function cleanDatabase(): Promise<{ db: TestDatabase; env: TestServices }> {
    const db = await createTestDatabase();
    const env = await createTestServices({ databaseUrl: db.url, smtpUrl: smtp.url });
    await insertProducts(
      db.knex,
      ['S1', 'S2', 'S3'].map((sku) => ({ sku, lead_time_days: 3 })),
    );
    await insertWarehouses(db.knex, ['W1', 'W2']);
    const rows: TxRow[] = [];
    for (const sku of ['S1', 'S2', 'S3'])
      for (const wh of ['W1', 'W2'])
        rows.push(tx(sku, wh, 'RESTOCK', 100, 3 * 24 * 60), tx(sku, wh, 'SALE', -5, 20));
    // One order, reserved in the ledger under its id (inventory/fulfilment/CONTRACT.md §6).
    rows.push({ ...tx('S1', 'W1', 'RESERVATION', 2, 20), reference_id: 'ORDER-CLEAN' });
    await insertFulfilmentEvents(db.knex, 'orders', orderedAndReserved('ORDER-CLEAN', 'S1', 'W1', 20));
    await insertTransactions(db.knex, rows);
    await syncLevelsFromLedger(db.knex);
    return { db, env };
  }

  async function failingRules(db: TestDatabase, key: string) {
    return db
      .knex('analytics.data_quality_results')
      .where({ check_run_key: key, passed: false })
      .orderBy('rule_id');
  }

  describe('on clean data', () => {
    let db: TestDatabase;
    let env: TestServices;
    before(async () => ({ db, env } = await cleanDatabase()));
    after(async () => {
      await env?.close();
      await db?.drop();
    });

    it('runs every SPEC §6 rule, one task per group, and scores 100 without alerting', async () => {
      const mailsBefore = smtp.mails.length;
      const run = await runDagLocally(dataQuality, { db: db.knex, ...env }, I0);
      expect(run.failed).to.deep.equal({});
      const results = await db.knex('analytics.data_quality_results').orderBy('rule_id');
      expect(results.map((r) => r.rule_id)).to.have.members(ALL_RULES);
      expect(results.filter((r) => !r.passed)).to.deep.equal([]);
      expect(results.every((r) => r.checked_count > 0)).to.equal(true);
      expect(run.outputs.report).to.deep.include({
        score: 100,
        rulesChecked: 17,
        failedRules: [],
        alerted: [],
      });
      expect(smtp.mails.length).to.equal(mailsBefore);

      const key = `data_quality:${I0.start.toISOString()}`;
      for (const task of Object.keys(run.outputs))
        expect(stepLine(run, task, 'interval')).to.include({ check_run_key: key, end: I0.end.toISOString() });
      const logged = Object.values(run.logs)
        .flat()
        .filter((l) => l.step === 'rule')
        .map((l) => [l.rule, l.group, l.passed, l.failing, l.checked]);
      expect(logged).to.have.deep.members(
        results.map((r) => [r.rule_id, r.rule_group, r.passed, r.failing_count, r.checked_count]),
      );
      expect(stepLine(run, 'freshness', 'group')).to.include({
        group: 'freshness',
        rules: 2,
        rules_failed: 0,
      });
      expect(stepLine(run, 'report', 'score')).to.include({ score: 100, rules_checked: 17, rules_failed: 0 });
      expect(stepLine(run, 'report', 'alerts')).to.include({ alerts: 0 });
      expect(stepLine(run, 'report', 'email')).to.include({ recipients: 0 });
    });

    it('leaves identical rows when run again', async () => {
      const results = await db.knex('analytics.data_quality_results').orderBy('rule_id');
      const runs = await db.knex('analytics.data_quality_runs');
      await runDagLocally(dataQuality, { db: db.knex, ...env }, I0);
      expect(await db.knex('analytics.data_quality_results').orderBy('rule_id')).to.deep.equal(results);
      expect(await db.knex('analytics.data_quality_runs')).to.deep.equal(runs);
    });

    it('alerts and e-mails once when a rule newly fails, and not while it keeps failing', async () => {
      const I1 = { start: I0.end, end: new Date(I0.end.getTime() + HALF_HOUR) };
      const I2 = { start: I1.end, end: new Date(I1.end.getTime() + HALF_HOUR) };
      await db
        .knex('inventory.inventory_levels')
        .where({ sku: 'S3', warehouse_id: 'W2' })
        .update({ reorder_point: -4 });
      const mailsBefore = smtp.mails.length;
      const first = await runDagLocally(dataQuality, { db: db.knex, ...env }, I1);
      expect(first.outputs.report).to.deep.include({ score: 94.1, newlyFailing: ['negative_reorder_point'] });
      await waitFor('the data-quality e-mail', () => smtp.mails.length > mailsBefore);
      const mail = smtp.mails[mailsBefore]!;
      expect(mail.subject).to.equal('[wareflow] Data quality: 1 rule newly failing (score 94.1)');
      expect(mail.raw).to.include('negative_reorder_point (business_rules): 1 of 6 failing');
      expect(mail.raw).to.include('"sku":"S3"');
      const failedRule = stepLine(
        first,
        'business_rules',
        'rule',
        (l) => l.rule === 'negative_reorder_point',
      );
      expect(failedRule).to.include({ passed: false, failing: 1, checked: 6, level: 40 });
      expect(stepLine(first, 'report', 'alerts')).to.deep.include({ alerts: 1, by_severity: { medium: 1 } });
      expect(stepLine(first, 'report', 'email')).to.include({
        recipients: mail.to.length,
        subject: mail.subject,
      });

      await runDagLocally(dataQuality, { db: db.knex, ...env }, I1);
      const again = await runDagLocally(dataQuality, { db: db.knex, ...env }, I2);
      expect(again.outputs.report).to.deep.include({
        failedRules: ['negative_reorder_point'],
        newlyFailing: [],
      });
      const alerts = await db.knex('analytics.alerts').where({ source: 'data_quality' });
      expect(alerts).to.have.length(1);
      expect(alerts[0]).to.include({
        alert_type: 'DATA_QUALITY',
        severity: 'medium',
        dedup_key: 'dq:negative_reorder_point',
      });
      expect(smtp.mails.length).to.equal(mailsBefore + 1);
    });
  });

  describe('with one injected fault at a time', () => {
    for (const injection of INJECTIONS) {
      it(`fails ${injection.rule} and no other rule`, async () => {
        const { db, env } = await cleanDatabase();
        try {
          await injection.apply(db.knex);
          const run = await runDagLocally(
            dataQuality,
            { db: db.knex, ...env },
            { ...I0, conf: injection.conf ?? {} },
          );
          expect(run.failed).to.deep.equal({});
          const failing = await failingRules(db, `data_quality:${I0.start.toISOString()}`);
          expect(failing.map((r) => r.rule_id)).to.deep.equal([injection.rule]);
          expect(failing[0].failing_count).to.equal(1);
          expect(failing[0].sample).to.have.length(1);
        } finally {
          await env.close();
          await db.drop();
        }
      });
    }
  });
});
