import { expect } from 'chai';
import { computeMetrics } from '../../inventory/analytics/index.js';
import {
  PairState,
  dayKey,
  detectAnomalies,
  resumeEpisodes,
  type EventContext,
} from '../../streaming/pipeline/index.js';
import {
  PartitionWindows,
  combineRisk,
  earliestOpenEventTime,
  percentile,
  validateMessage,
  type FiredRule,
} from '../../streaming/index.js';
import { runChecks } from '../../platform/index.js';
import { ANOMALY_RULES } from '../../inventory/rules/index.js';

const NOW = Date.parse('2026-06-10T12:00:00Z');
const limits = { now: NOW, maxEventAgeDays: 400 };
const valid = {
  eventId: '0b6f2a38-2a55-4d4e-9a9e-0c5e7a3f1d10',
  eventType: 'SALE',
  sku: 'LAPTOP-001',
  warehouseId: 'WAREHOUSE-001',
  quantityChange: -2,
  timestamp: '2026-06-10T11:00:00Z',
};
const check = (body: unknown) => validateMessage(Buffer.from(JSON.stringify(body)), limits);

describe('streaming: validation rules (pure)', function () {
  it('normalises ids, both timestamp forms and the INVENTORY_UPDATE alias', function () {
    const r = check({
      ...valid,
      eventId: ` ${valid.eventId.toUpperCase()} `,
      sku: ' laptop-001 ',
      warehouseId: 'warehouse-001',
      eventType: 'inventory_update',
      timestamp: NOW - 1_000,
    });
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.event).to.include({
      eventId: valid.eventId,
      sku: 'LAPTOP-001',
      warehouseId: 'WAREHOUSE-001',
      eventType: 'ADJUSTMENT',
      receivedType: 'INVENTORY_UPDATE',
    });
    expect(r.event.occurredAt.getTime()).to.equal(NOW - 1_000);
    const offset = check({ ...valid, timestamp: '2026-06-10T13:30:00+02:00' });
    expect(offset.ok && offset.event.occurredAt.toISOString()).to.equal('2026-06-10T11:30:00.000Z');
  });

  it('reads a timestamp in the millisecond form producers send as Date.parse does, and rejects the same malformed ones', function () {
    const texts = [
      '2026-06-10T11:00:00.123Z', // the canonical form
      '2026-02-28T23:59:59.999Z',
      '2026-02-30T08:00:00.000Z', // a day past the month's end rolls over, as in Date.parse
      '2026-06-10T24:00:00.000Z',
      '2026-06-10T11:00:00.123z',
      '2026-13-10T11:00:00.000Z',
      '2026-06-10T11:60:00.000Z',
      '2026-06-1xT11:00:00.000Z',
      '2026-06-10T11:00:00,123Z',
    ];
    for (const text of texts) {
      const r = check({ ...valid, timestamp: text });
      const expected = Date.parse(text);
      if (Number.isNaN(expected)) expect(r, text).to.include({ reason: 'invalid_timestamp' });
      else if (r.ok) expect(r.event.occurredAt.getTime(), text).to.equal(expected);
      else expect(r, text).to.include({ reason: 'future_timestamp' });
    }
  });

  it('accepts the edges of the time and quantity ranges and rejects just beyond them', function () {
    const at = (ms: number) => check({ ...valid, timestamp: ms });
    expect(at(NOW + 3_600_000).ok).to.equal(true);
    expect(at(NOW + 3_600_001)).to.include({ reason: 'future_timestamp' });
    expect(at(NOW - 400 * 86_400_000).ok).to.equal(true);
    expect(at(NOW - 400 * 86_400_000 - 1)).to.include({ reason: 'stale_timestamp' });
    expect(check({ ...valid, eventType: 'RESTOCK', quantityChange: 1_000_000 }).ok).to.equal(true);
    expect(check({ ...valid, eventType: 'RESTOCK', quantityChange: 1_000_001 })).to.include({
      reason: 'quantity_out_of_range',
    });
    expect(check({ ...valid, quantityChange: 0 })).to.include({ reason: 'zero_quantity' });
  });
});

describe('streaming: window arithmetic (pure)', function () {
  it('interpolates percentiles like percentile_cont', function () {
    expect(percentile([1, 2, 3, 4], 0.5)).to.equal(2.5);
    expect(percentile([1, 2, 3, 4, 5], 0.95)).to.be.closeTo(4.8, 1e-12);
    expect(percentile([7], 0.95)).to.equal(7);
  });

  it('rebuilds from the earliest start of a window still open at the watermark', function () {
    const w = Date.parse('2026-06-10T10:02:30Z');
    // The sliding window [09:58, 10:03) is still open and starts before the hour window [10:00, 11:00).
    expect(new Date(earliestOpenEventTime(w)).toISOString()).to.equal('2026-06-10T09:58:00.000Z');
  });

  it('puts an event in four tumbling and five sliding windows, and counts it late where the watermark passed', function () {
    const windows = new PartitionWindows(120_000);
    const t = Date.parse('2026-06-10T10:00:30Z');
    expect(windows.add('A', 'W', -1, t)).to.equal(0);
    expect(windows.openCount).to.equal(9);
    windows.add('A', 'W', 5, t + 10 * 60_000); // watermark 10:08:30 closes everything ending by then
    const closed = windows.closeDue();
    expect(closed.map((c) => c.kind).sort()).to.deep.equal([
      'sliding_5m_1m',
      'sliding_5m_1m',
      'sliding_5m_1m',
      'sliding_5m_1m',
      'sliding_5m_1m',
      'tumbling_1m',
      'tumbling_5m',
    ]);
    expect(windows.add('A', 'W', -3, t)).to.equal(7); // late for the seven closed windows
    expect(windows.takeLateForClosed().reduce((s, l) => s + l.count, 0)).to.equal(7);
  });
});

describe('streaming: risk score (pure)', function () {
  it('combines the risks of the rules that fired as the chance that at least one is real', function () {
    const rule = (risk: number) => ({ risk }) as FiredRule;
    expect(combineRisk([])).to.equal(0);
    expect(combineRisk([rule(0.4)])).to.be.closeTo(0.4, 1e-12);
    expect(combineRisk([rule(0.5), rule(0.5)])).to.be.closeTo(0.75, 1e-12);
    expect(combineRisk([rule(0.9), rule(0.8), rule(0.7)])).to.be.within(0, 1);
  });
});

describe('streaming: stock-out risk after every change (pure)', function () {
  /** A small deterministic generator, so a failure can be replayed. */
  const random = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

  it('equals computeMetrics over the 30 days ending on the latest event, through day changes, late sales and restocks', function () {
    const next = random(7);
    for (let pairNo = 0; pairNo < 20; pairNo++) {
      const pair = new PairState(`SKU-${pairNo}`, 'WAREHOUSE-001');
      const leadTimeDays = 1 + Math.floor(next() * 14);
      let t = NOW - 45 * 86_400_000;
      pair.observe('RESTOCK', 200 + Math.floor(next() * 400), t);
      for (let i = 0; i < 400; i++) {
        t += Math.floor(next() * 4 * 3_600_000); // days with several sales, days with none
        const roll = next();
        // A late sale (up to three days back) lands on an earlier day of the window.
        const at = roll < 0.1 ? t - Math.floor(next() * 3 * 86_400_000) : t;
        if (roll < 0.8) pair.observe('SALE', -1 - Math.floor(next() * 6), at);
        else if (roll < 0.9) pair.observe('RESERVATION', 1 + Math.floor(next() * 3), at);
        else pair.observe('RESTOCK', 20 + Math.floor(next() * 60), at);
        const exact = computeMetrics({
          dailySales: pair.salesSeries(dayKey(pair.maxEventTime)),
          onHand: pair.onHand,
          reserved: pair.reserved,
          leadTimeDays,
        }).stockout_risk;
        expect(pair.stockoutRisk(leadTimeDays), `pair ${pairNo}, event ${i}`).to.be.closeTo(exact, 1e-12);
      }
    }
  });
});

describe('streaming: pair state read back from the warehouse (pure)', function () {
  it('ends at the stored on-hand and reserved after replaying the recent rows of every type', function () {
    const t = NOW - 30 * 60_000;
    const recent = [
      ['RESTOCK', 50],
      ['RESERVATION', 7],
      ['SALE', -4],
      ['RESERVATION_RELEASE', -2],
      ['RESERVATION', 3],
    ].map(([eventType, quantityChange], i) => ({
      eventId: `e${i}`,
      eventType: eventType as string,
      quantityChange: quantityChange as number,
      occurredAt: new Date(t + i * 60_000),
    }));
    const pair = PairState.fromHistory(
      'SKU-1',
      'WAREHOUSE-001',
      { onHand: 120, reserved: 15, recent, dailySales: new Map(), openAlerts: new Map(), orders: [] },
      () => 1,
    );
    expect([pair.onHand, pair.reserved]).to.deep.equal([120, 15]);
    expect(pair.onHandHourAgo).to.equal(120 - 46);
  });

  it('stays in a rapid-depletion or frequency-spike episode its earlier owner reported', function () {
    const ctx = {
      product: { unitCost: 1 },
      warehouse: { weekendOperation: true },
      isWeekend: false,
      inBusinessHours: true,
    } as unknown as EventContext;
    // 100 received, a quiet half hour of one sale a minute, then a burst of 30 sales in a minute.
    const t0 = NOW - 40 * 60_000;
    const events = [
      { eventType: 'RESTOCK', quantityChange: 100, occurredAt: new Date(t0 - 30 * 60_000) },
      ...Array.from({ length: 30 }, (_, i) => ({
        eventType: 'SALE',
        quantityChange: -1,
        occurredAt: new Date(t0 + (i + 1) * 60_000),
      })),
      ...Array.from({ length: 30 }, (_, i) => ({
        eventType: 'SALE',
        quantityChange: -1,
        occurredAt: new Date(t0 + 32 * 60_000 + i * 1_000),
      })),
    ];
    const next = { eventType: 'SALE', quantityChange: -1, occurredAt: new Date(t0 + 32 * 60_000 + 31_000) };
    const owner = new PairState('SKU-1', 'WAREHOUSE-001');
    const fired = events.flatMap((e) => detectAnomalies(owner, e, ctx).map((f) => f.type));
    expect(fired.filter((f) => f === 'RAPID_DEPLETION' || f === 'FREQUENCY_SPIKE')).to.have.members([
      'RAPID_DEPLETION',
      'FREQUENCY_SPIKE',
    ]);

    const rebuilt = PairState.fromHistory(
      'SKU-1',
      'WAREHOUSE-001',
      {
        onHand: owner.onHand,
        reserved: 0,
        recent: events.map((e, i) => ({ eventId: `e${i}`, ...e })),
        dailySales: new Map(),
        openAlerts: new Map(),
        orders: [],
      },
      () => 1,
    );
    resumeEpisodes(rebuilt);
    expect([rebuilt.depleting, rebuilt.spiking]).to.deep.equal([owner.depleting, owner.spiking]);
    expect([rebuilt.depleting, rebuilt.spiking]).to.deep.equal([true, true]);
    expect(detectAnomalies(rebuilt, next, ctx).map((f) => f.type)).to.deep.equal(
      detectAnomalies(owner, next, ctx).map((f) => f.type),
    );
  });
});

describe('streaming: rapid depletion is a run on the product (pure)', function () {
  const ctx = {
    product: { unitCost: 1 },
    warehouse: { weekendOperation: true },
    isWeekend: false,
    inBusinessHours: true,
  } as unknown as EventContext;
  const fired = (changes: number[]) => {
    const pair = new PairState('SKU-1', 'WAREHOUSE-001');
    const t0 = NOW - 30 * 60_000;
    return changes.flatMap((q, i) =>
      detectAnomalies(
        pair,
        // Stocked two hours before the sales, a minute apart.
        {
          eventType: i === 0 ? 'RESTOCK' : 'SALE',
          quantityChange: q,
          occurredAt: new Date(i === 0 ? t0 - 2 * 3_600_000 : t0 + i * 60_000),
        },
        ctx,
      ).map((f) => f.type),
    );
  };

  it('fires when several sales take more than half the on-hand within the hour', function () {
    expect(fired([30, -6, -5, -6])).to.include('RAPID_DEPLETION');
  });

  it('stays quiet when the last sale or two empty a nearly empty shelf', function () {
    expect(fired([3, -1, -1])).to.not.include('RAPID_DEPLETION');
    expect(fired([10, -6])).to.not.include('RAPID_DEPLETION');
  });

  it("stays quiet when an hour's ordinary trade meets a small booked on-hand, and fires on a real run", function () {
    // A pair that sold 24 a day for four weeks; stocked two hours ago, then sales a minute apart.
    const run = (stocked: number, sales: number[]) => {
      const pair = new PairState('SKU-1', 'WAREHOUSE-001');
      const today = Math.floor(NOW / 86_400_000);
      for (let d = 1; d <= 28; d++) pair.dailySales.set(dayKey((today - d) * 86_400_000), 24);
      const t0 = NOW - 30 * 60_000;
      const events = [
        { eventType: 'RESTOCK', quantityChange: stocked, occurredAt: new Date(t0 - 2 * 3_600_000) },
        ...sales.map((q, i) => ({
          eventType: 'SALE',
          quantityChange: q,
          occurredAt: new Date(t0 + i * 60_000),
        })),
      ];
      return events.flatMap((e) => detectAnomalies(pair, e, ctx).map((f) => f.type));
    };
    expect(ANOMALY_RULES.rapidDepletionMinDaysOfSales).to.equal(1);
    // 8 of 10 in four sales: more than half the on-hand, but a third of a day's trade.
    expect(run(10, [-2, -2, -2, -2])).to.not.include('RAPID_DEPLETION');
    // 30 of 40 within the hour: more than a day's trade.
    expect(run(40, new Array<number>(10).fill(-3))).to.include('RAPID_DEPLETION');
  });
});

describe('streaming: health checks (pure)', function () {
  it('is down when one dependency fails or does not answer in time', async function () {
    expect(await runChecks({ a: async () => true, b: async () => true })).to.deep.equal({
      status: 'ok',
      checks: { a: 'ok', b: 'ok' },
    });
    const report = await runChecks(
      {
        ok: async () => true,
        failing: async () => {
          throw new Error('ECONNREFUSED');
        },
        hanging: () => new Promise<boolean>(() => undefined),
      },
      50,
    );
    expect(report).to.deep.equal({ status: 'down', checks: { ok: 'ok', failing: 'down', hanging: 'down' } });
  });
});
