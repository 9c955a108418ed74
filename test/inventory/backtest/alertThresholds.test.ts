import { expect } from 'chai';
import { calibrated, STOCKOUT_CALIBRATION, Z_LIMIT } from '../../../inventory/analytics/index.js';
import {
  alertOpenings,
  lowStockChecks,
  streamChecks,
  thresholdCurve,
  type LabelCase,
  type PairStockHistory,
  type StockCheck,
} from '../../../inventory/backtest/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T00:00:00Z');

/** The z-score whose calibrated probability is `p` (the calibration is increasing between its knots). */
function zFor(p: number): number {
  let lo = -8;
  let hi = 8;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (calibrated(mid) < p) lo = mid;
    else hi = mid;
  }
  return hi;
}
const top = STOCKOUT_CALIBRATION.knots.at(-1)![1];
const check = (hours: number, p: number, available = 10): StockCheck => ({
  at: T0 + hours * HOUR,
  available,
  z: zFor(p),
});

describe('stock-out alerts against their opening threshold', () => {
  it('opens an incident when the probability reaches the threshold, and once only while it stays up', () => {
    const checks = [check(0, 0.05), check(1, 0.3), check(2, 0.35), check(3, 0.25), check(4, 0.31)];
    expect(alertOpenings(checks, { openAt: 0.3, resolveBelow: 0.1 })).to.deep.equal([T0 + HOUR]);
    expect(alertOpenings(checks, { openAt: 0.4, resolveBelow: 0.1 })).to.deep.equal([]);
  });

  it('resolves only below the lower threshold with stock available, so a new incident can open', () => {
    const checks = [check(0, 0.4), check(1, 0.05, 0), check(2, 0.05), check(3, 0.45)];
    // Nothing available keeps (or opens) an incident whatever the probability.
    expect(alertOpenings(checks, { openAt: 0.3, resolveBelow: 0.1 })).to.deep.equal([T0, T0 + 3 * HOUR]);
    expect(alertOpenings([check(0, 0.05, 0)], { openAt: 0.99, resolveBelow: 0.1 })).to.deep.equal([T0]);
  });

  it('keeps a low-stock incident open until the position clears the reorder point by its margin', () => {
    const at = (hours: number, p: number, position: number): StockCheck => ({
      ...check(hours, p),
      position,
      reorderPoint: 100,
    });
    const checks = [at(0, 0.5, 50), at(6, 0.05, 105), at(12, 0.5, 50), at(18, 0.05, 111), at(24, 0.5, 60)];
    const policy = { openAt: 0.3, resolveBelow: 0.1, clearMargin: 0.1 };
    expect(alertOpenings(checks, policy)).to.deep.equal([T0, T0 + 24 * HOUR]);
  });

  it('scores the openings of each threshold against the labelled stock-outs', () => {
    // One pair warned 30 h before it ran out (a hit), one warned and never out (a false alarm).
    const label: LabelCase = {
      id: 's',
      type: 'STOCKOUT',
      sku: 'A',
      warehouse_id: 'W',
      start: T0 + 30 * HOUR,
      end: T0 + 40 * HOUR,
      also: [],
      early_ms: 3 * DAY,
    };
    const pairs = [
      { sku: 'A', warehouse_id: 'W', checks: [check(0, 0.6), check(30, 0.6, 0)] },
      { sku: 'B', warehouse_id: 'W', checks: [check(0, 0.3), check(5, 0.05)] },
    ];
    const rows = thresholdCurve(
      'STOCKOUT',
      pairs,
      [label],
      [0.2, 0.5, top + 0.01],
      { resolveBelow: 0.1 },
      {
        dataEnd: T0 + 50 * HOUR,
      },
    );
    expect(rows.map((r) => [r.threshold, r.alerts, r.tp, r.fp, r.recall, r.warned_ahead])).to.deep.equal([
      [0.2, 2, 1, 1, 1, 1],
      [0.5, 1, 1, 0, 1, 1],
      // Above every probability the model gives, only the stock-out itself opens an alert.
      [top + 0.01, 1, 1, 0, 1, 0],
    ]);
    expect(rows[1]!.median_delay_s).to.equal(-30 * 3600);
  });
});

describe('stock checks replayed from a pair’s history', () => {
  const history = (): PairStockHistory => ({
    sku: 'A',
    warehouse_id: 'W',
    leadTimeDays: 4,
    events: [
      { at: T0, onHand: 40, reserved: 0, receipt: null, opening: true },
      { at: T0 + 2 * DAY + 10 * HOUR, onHand: -30, reserved: 0, receipt: null, opening: false },
      { at: T0 + 2 * DAY + 11 * HOUR, onHand: 0, reserved: 5, receipt: null, opening: false },
      { at: T0 + 3 * DAY + 9 * HOUR, onHand: 20, reserved: 0, receipt: 'PO-1', opening: false },
    ],
    orders: [
      { reference: 'PO-1', quantity: 50, orderedAt: T0 + DAY, expectedAt: T0 + 3 * DAY, cancelledAt: null },
    ],
    forecasts: [
      { day: T0 / DAY + 1, leadTimeDays: 4, mean: 40, sigma: 8, trainingDays: 84 },
      { day: T0 / DAY + 2, leadTimeDays: 4, mean: 400, sigma: 8, trainingDays: 84 },
    ],
    metrics: [{ day: T0 / DAY + 1, leadTimeDays: 4, mean: 40, sigma: 8, trainingDays: 84, reorderPoint: 53 }],
    shifts: [{ at: T0 + 2 * DAY + 10 * HOUR + 30 * 60_000, change: -2 }],
  });

  it('checks after every event but the opening count, on the forecast of an earlier day and what is on order', () => {
    const checks = streamChecks(history());
    expect(checks.map((c) => c.available)).to.deep.equal([10, 3, 23]);
    // Day 2's events are judged on day 1's forecast (40 ± 8), not on day 2's own.
    const first = checks[0]!;
    expect(first.z).to.be.closeTo(
      Math.max((40 - 60) / 8, ((40 * 1) / 4 - 10) / (8 * Math.sqrt(1 / 4))),
      1e-9,
    );
    // Day 3 is judged on day 2's forecast (400 ± 8): far beyond the stock, z at its limit.
    expect(checks[2]!.z).to.equal(Z_LIMIT);
  });

  it('checks the low-stock way every six hours, on the newest metrics of an earlier day', () => {
    const checks = lowStockChecks(history(), T0, T0 + 3 * DAY);
    // Metrics of day 1 exist from day 2 on: the checks of day 2 00:00 … day 3 00:00.
    expect(checks.map((c) => (c.at - T0) / HOUR)).to.deep.equal([48, 54, 60, 66, 72]);
    // The sale, the reservation and the lost row (−2) of day 2 land between 54 h and 60 h.
    expect(checks.map((c) => c.available)).to.deep.equal([40, 40, 3, 3, 3]);
    expect(checks.map((c) => c.position)).to.deep.equal([90, 90, 53, 53, 53]);
    expect(checks.every((c) => c.reorderPoint === 53)).to.equal(true);
  });
});
