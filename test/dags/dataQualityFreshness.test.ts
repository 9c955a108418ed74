import { expect } from 'chai';
import { DEFAULT_RULE_PARAMS, QUALITY_RULES, runQualityRules } from '../../dags/data_quality/store/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { insertProducts, insertTransactions, insertWarehouses, type TxRow } from './fixtures.js';

/**
 * The freshness rules judge silence by each warehouse's opening hours, in its own time zone, at
 * a fixed instant (not the wall clock), so these specs hold on any day of the week.
 */
describe('data_quality freshness rules', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
    await insertProducts(db.knex, [{ sku: 'S1', lead_time_days: 3 }]);
    await insertWarehouses(db.knex, ['BERLIN']);
    // Monday to Friday, 07:00–19:00 Berlin time.
    await db.knex('inventory.warehouses').where({ warehouse_id: 'BERLIN' }).update({
      timezone: 'Europe/Berlin',
      business_hours_start: '07:00',
      business_hours_end: '19:00',
      weekend_operation: false,
    });
  });
  afterEach(async () => db?.drop());

  /** A steady trade: one receipt every 20 minutes of opening time, Monday 2026-11-16 to `until`. */
  async function trade(until: string): Promise<void> {
    const rows: TxRow[] = [];
    for (let t = Date.parse('2026-11-16T06:00:00Z'); t < Date.parse(until); t += 20 * 60_000) {
      const at = new Date(t);
      const day = at.getUTCDay();
      const hour = at.getUTCHours(); // Berlin is UTC+1 in November
      if (day === 0 || day === 6 || hour < 6 || hour >= 18) continue;
      rows.push({
        sku: 'S1',
        warehouse_id: 'BERLIN',
        event_type: 'RESTOCK',
        quantity_change: 1,
        occurred_at: at,
        ingested_at: at,
        reference_id: `R-${t}`,
      });
    }
    await insertTransactions(db.knex, rows);
  }

  async function failing(end: string, ruleId: string) {
    const rules = QUALITY_RULES.freshness.filter((r) => r.id === ruleId);
    const [result] = await runQualityRules(db.knex, rules, {
      checkRunKey: `spec:${end}`,
      start: new Date(Date.parse(end) - 30 * 60_000),
      end: new Date(end),
      params: DEFAULT_RULE_PARAMS,
    });
    return result!;
  }

  it('passes ingestion_gap and stale_data over a weekend a site is closed', async () => {
    await trade('2026-11-28T00:00:00Z'); // trade until Friday's close
    const sundayEvening = '2026-11-29T20:00:00Z';
    expect((await failing(sundayEvening, 'ingestion_gap')).passed).to.equal(true);
    expect((await failing(sundayEvening, 'stale_data')).passed).to.equal(true);
  });

  it('passes overnight, when the site is closed', async () => {
    await trade('2026-11-25T18:00:00Z'); // Wednesday's close
    expect((await failing('2026-11-26T05:30:00Z', 'ingestion_gap')).passed).to.equal(true);
    expect((await failing('2026-11-26T05:30:00Z', 'stale_data')).passed).to.equal(true);
  });

  it('fails ingestion_gap once a working day is silent for the opening hours its rate makes telling', async () => {
    await trade('2026-11-27T00:00:00Z'); // trade until Thursday's close; Friday stays dark
    // Friday 09:00 Berlin: 2 h 20 min of opening time silent, 7 expected at 3 an hour: not telling yet.
    expect((await failing('2026-11-27T08:00:00Z', 'ingestion_gap')).passed).to.equal(true);
    // Friday 14:00 Berlin: Thursday's last 20 open minutes and seven on Friday, 22 expected.
    const result = await failing('2026-11-27T13:00:00Z', 'ingestion_gap');
    expect(result.passed).to.equal(false);
    expect(result.sample).to.have.length(1);
    const [row] = result.sample as Array<Record<string, unknown>>;
    expect(row).to.include({ warehouse_id: 'BERLIN' });
    expect(Number(row!.silent_open_hours)).to.equal(7.3);
    expect(Number(row!.expected_events)).to.be.within(21, 23);
    // And stale_data, which needs three open hours of silence from every site, fails too.
    expect((await failing('2026-11-27T13:00:00Z', 'stale_data')).passed).to.equal(false);
  });

  it('forgets a warehouse silent for more than 30 days', async () => {
    await trade('2026-11-25T18:00:00Z');
    expect((await failing('2026-12-27T12:00:00Z', 'ingestion_gap')).passed).to.equal(true);
  });
});
