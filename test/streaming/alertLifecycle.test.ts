import { expect } from 'chai';
import { ANOMALY_QUIET_MS, STOCKOUT_ALERT_AT, STOCKOUT_RESOLVE_BELOW } from '../../inventory/alerts/index.js';
import { STOCKOUT_CALIBRATION, stockoutProbability } from '../../inventory/analytics/index.js';
import type { InventoryEvent } from '../../inventory/events/index.js';
import type { TopicNames } from '../../platform/index.js';
import type { MemoryBroker } from '../../streaming/transport/index.js';
import type { TestDatabase } from '../support/db.js';
import { waitFor } from '../support/wait.js';
import { makeEvent, seedMasterData, useMemorySidecar, type TestMaster } from './support.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

/**
 * The stream's alert lifecycle on real PostgreSQL (in-memory broker): incidents in event time,
 * hysteresis for stock-out risk, a quiet period for anomalies, re-occurrence as a new alert.
 */
describe('streaming: the alert lifecycle', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let m: TestMaster;
  let topics: TopicNames;
  let broker: MemoryBroker;

  useMemorySidecar((f) => {
    ({ db, m, topics, broker } = f);
  });

  /** Yesterday 00:00 UTC: every event lies in the past, the sales on one known day. */
  const day0 = Math.floor(Date.now() / DAY) * DAY - DAY;

  async function send(events: InventoryEvent[]): Promise<void> {
    const publisher = await broker.publisher();
    await publisher.send(
      topics.events,
      events.map((e) => ({ key: `${e.sku}:${e.warehouseId}`, value: JSON.stringify(e) })),
    );
    await publisher.close();
    const ids = events.map((e) => e.eventId);
    await waitFor('the events applied', async () => {
      const [row] = await db
        .knex('inventory.inventory_transactions')
        .whereIn('event_id', ids)
        .count({ n: '*' });
      return Number(row!.n) === ids.length;
    });
  }
  const alertsOf = (sku: string, type: string) =>
    db.knex('analytics.alerts').where({ sku, alert_type: type }).orderBy('opened_at');
  const published = async (sku: string, type: string) =>
    (await broker.readTopic(topics.alerts))
      .map((r) => JSON.parse(r.value!.toString()) as { sku: string; alertType: string; change: string })
      .filter((a) => a.sku === sku && a.alertType === type);

  it('opens a stock-out alert once while the probability wobbles around the threshold, resolves it below the lower one, and re-opens', async function () {
    const sku = m.skus[0]!;
    const warehouseId = m.warehouses[0]!;
    // The daily ETL's forecast made at the end of the day before: 100 ± 20 over the 7-day lead
    // time, on twelve weeks of sales. The stream judges day0's events on it.
    await db.knex('analytics.lead_time_demand').insert({
      sku,
      warehouse_id: warehouseId,
      as_of_date: new Date(day0 - DAY).toISOString().slice(0, 10),
      lead_time_days: 7,
      mean: 100,
      sigma: 20,
      model: 'holt_winters',
      training_days: 84,
      band_level: 0.8,
      daily_mean: new Array(7).fill(100 / 7),
      daily_lower: new Array(7).fill(10),
      daily_upper: new Array(7).fill(20),
    });
    const riskAt = (available: number) =>
      stockoutProbability(
        { available, onOrder: 0, daysToNextReceipt: null, leadTimeDays: 7 },
        { mean: 100, sigma: 20 },
      );
    const availableFor = (risk: number) => {
      let lo = 1;
      let hi = 900;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (riskAt(mid) > risk) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const top = STOCKOUT_CALIBRATION.knots.at(-1)![1];
    const [open, band, clear] = [
      availableFor(top - 0.005),
      availableFor((STOCKOUT_ALERT_AT + STOCKOUT_RESOLVE_BELOW) / 2),
      availableFor(STOCKOUT_RESOLVE_BELOW / 2),
    ];
    expect(riskAt(open)).to.be.at.least(STOCKOUT_ALERT_AT);
    expect(riskAt(band)).to.be.within(STOCKOUT_RESOLVE_BELOW, STOCKOUT_ALERT_AT);
    expect(riskAt(clear)).to.be.below(STOCKOUT_RESOLVE_BELOW);
    expect(open).to.be.below(band);

    let reserved = 0;
    const e = (minutes: number, available: number): InventoryEvent => {
      const change = 900 - available - reserved;
      reserved += change;
      return makeEvent({
        sku,
        warehouseId,
        eventType: change > 0 ? 'RESERVATION' : 'RESERVATION_RELEASE',
        quantityChange: change,
        timestamp: new Date(day0 + 13 * HOUR + minutes * MIN).toISOString(),
      });
    };
    const at = (minutes: number) => day0 + 13 * HOUR + minutes * MIN;
    await send([
      makeEvent({
        sku,
        warehouseId,
        eventType: 'RESTOCK',
        quantityChange: 1000,
        timestamp: new Date(day0 + HOUR).toISOString(),
      }),
      makeEvent({
        sku,
        warehouseId,
        eventType: 'SALE',
        quantityChange: -100,
        timestamp: new Date(day0 + 1.5 * HOUR).toISOString(),
      }),
      e(0, open), // opens (high: at the threshold, above 0.5)
      e(10, band), // between the thresholds: stays open, nothing else
      e(20, open), // a repeat
      e(30, band),
      e(40, open), // a repeat
      e(50, band),
      e(60, open), // a repeat
    ]);
    let rows = await alertsOf(sku, 'STOCKOUT_RISK');
    expect(rows.map((r) => [r.severity, r.occurrences, r.resolved_at])).to.deep.equal([['high', 4, null]]);
    expect(rows[0].opened_at.getTime()).to.equal(at(0));
    expect(rows[0].last_seen_at.getTime()).to.equal(at(60));

    await send([e(70, clear), e(80, open)]);
    rows = await alertsOf(sku, 'STOCKOUT_RISK');
    expect(
      rows.map((r) => [r.resolution, r.resolved_at?.getTime() ?? null, r.opened_at.getTime()]),
    ).to.deep.equal([
      ['cleared', at(70), at(0)],
      [null, null, at(80)],
    ]);
    // Two openings published; the repeats and the resolution sent nothing.
    expect((await published(sku, 'STOCKOUT_RISK')).map((a) => a.change)).to.deep.equal(['opened', 'opened']);
  });

  it('resolves an anomaly alert after a quiet period of event time, on a later event of the pair, and opens a new one when it recurs', async function () {
    const x = await seedMasterData(db.knex, { skus: 1, warehouses: 1, unitCost: 500 });
    const [sku, warehouseId] = [x.skus[0]!, x.warehouses[0]!];
    const t0 = day0 - 2 * DAY;
    // 100 · 500 = 50,000: a medium HIGH_VALUE each time.
    const restock = (t: number) =>
      makeEvent({
        sku,
        warehouseId,
        eventType: 'RESTOCK',
        quantityChange: 100,
        timestamp: new Date(t).toISOString(),
      });
    await send([restock(t0), restock(t0 + HOUR)]);
    let rows = await alertsOf(sku, 'HIGH_VALUE');
    expect(rows.map((r) => [r.occurrences, r.resolved_at])).to.deep.equal([[2, null]]);

    const quietEnd = t0 + HOUR + ANOMALY_QUIET_MS;
    await send([
      makeEvent({ sku, warehouseId, quantityChange: -1, timestamp: new Date(quietEnd + HOUR).toISOString() }),
    ]);
    rows = await alertsOf(sku, 'HIGH_VALUE');
    expect(rows.map((r) => [r.resolution, r.resolved_at.getTime()])).to.deep.equal([['quiet', quietEnd]]);

    await send([restock(quietEnd + 2 * HOUR)]);
    rows = await alertsOf(sku, 'HIGH_VALUE');
    expect(rows.map((r) => [r.occurrences, r.resolution])).to.deep.equal([
      [2, 'quiet'],
      [1, null],
    ]);
    expect((await published(sku, 'HIGH_VALUE')).map((a) => a.change)).to.deep.equal(['opened', 'opened']);
  });
});
