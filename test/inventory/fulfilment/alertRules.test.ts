import { expect } from 'chai';
import {
  LATE_DISPATCH_CLEAR_MARGIN_MS,
  LATE_DISPATCH_OPEN_MARGIN_MS,
} from '../../../inventory/alerts/index.js';
import { loadConfig } from '../../../platform/index.js';
import {
  DEFAULT_AUDIT_POLICY,
  EXCEPTION_POLICY,
  addWorkingTime,
  auditBreach,
  forecastDispatch,
  isNight,
  subtractWorkingTime,
  verdictOf,
  workingTimeBetween,
  type AuditEvent,
  type QueuedOrder,
  type WorkCalendar,
} from '../../../inventory/fulfilment/index.js';

const HOUR = 3_600_000;
/** Berlin, 07:00–19:00, Monday to Friday. */
const BERLIN: WorkCalendar = {
  timezone: 'Europe/Berlin',
  openMinute: 7 * 60,
  closeMinute: 19 * 60,
  weekendOperation: false,
};
/** Friday 2026-03-06 17:00 in Berlin (UTC+1). */
const FRIDAY_17 = Date.parse('2026-03-06T16:00:00Z');
const MONDAY_07 = Date.parse('2026-03-09T06:00:00Z');

describe('fulfilment alert rules (pure)', function () {
  describe('a warehouse’s working time', function () {
    it('counts only business hours on working days, in the warehouse’s zone', function () {
      // Friday 17:00 → Monday 09:00: two hours on Friday, two on Monday, none at the weekend.
      expect(workingTimeBetween(BERLIN, FRIDAY_17, MONDAY_07 + 2 * HOUR)).to.equal(4 * HOUR);
      expect(workingTimeBetween(BERLIN, MONDAY_07, MONDAY_07 + 7 * 24 * HOUR)).to.equal(5 * 12 * HOUR);
    });

    it('adds working time across closed nights and weekends', function () {
      expect(addWorkingTime(BERLIN, FRIDAY_17, HOUR)).to.equal(FRIDAY_17 + HOUR);
      expect(addWorkingTime(BERLIN, FRIDAY_17, 3 * HOUR)).to.equal(MONDAY_07 + HOUR);
      // From a closed instant, the clock starts at the next opening.
      expect(addWorkingTime(BERLIN, FRIDAY_17 + 24 * HOUR, 0)).to.equal(MONDAY_07);
      expect(addWorkingTime({ ...BERLIN, closeMinute: BERLIN.openMinute }, FRIDAY_17, HOUR)).to.equal(null);
    });

    it('finds the start of the latest stretch of working time', function () {
      expect(subtractWorkingTime(BERLIN, MONDAY_07 + HOUR, 3 * HOUR)).to.equal(FRIDAY_17);
      expect(subtractWorkingTime(BERLIN, FRIDAY_17, 2 * HOUR)).to.equal(FRIDAY_17 - 2 * HOUR);
    });
  });

  describe('the late-dispatch forecast', function () {
    const now = MONDAY_07;
    const order = (n: number, promisedAt: number, extra: Partial<QueuedOrder> = {}): QueuedOrder => ({
      orderId: `ORDER-${n}`,
      warehouseId: 'WH',
      promisedAt,
      createdAt: now - HOUR,
      unpickedLines: 1,
      unreservedLines: 0,
      lastPickAt: null,
      ...extra,
    });
    // A week of trade behind it, 8 lines in its last 8 working hours: one line per working hour;
    // 2 h from pick to dispatch.
    const flow = { historyPicks: 60, recentPicks: 8, recentWorkingMs: 8 * HOUR, pickToDispatchMs: 2 * HOUR };

    it('places each order behind the lines of every order promised earlier, and predicts in working time', function () {
      const promise = now + 8 * HOUR; // Monday 15:00
      const queue = [order(3, promise), order(1, promise - HOUR, { unpickedLines: 2 }), order(2, promise)];
      const f = forecastDispatch(queue, flow, BERLIN, now);
      expect(f.map((x) => [x.orderId, x.linesAhead])).to.deep.equal([
        ['ORDER-1', 2],
        ['ORDER-2', 3],
        ['ORDER-3', 4],
      ]);
      expect(f[0]!.picksPerHour).to.equal(1);
      expect(f[2]!.pickedBy).to.equal(now + 4 * HOUR);
      expect(f[2]!.dispatchBy).to.equal(now + 6 * HOUR);
      expect(f.map((x) => x.verdict)).to.deep.equal(['clear', 'clear', 'clear']);
    });

    it('judges late with margin, clears with margin, holds in between, and never clears a passed promise', function () {
      const p = now + 10 * HOUR;
      expect(verdictOf(p, p + LATE_DISPATCH_OPEN_MARGIN_MS, now)).to.equal('at_risk');
      expect(verdictOf(p, p + LATE_DISPATCH_OPEN_MARGIN_MS - 1, now)).to.equal('hold');
      expect(verdictOf(p, p - LATE_DISPATCH_CLEAR_MARGIN_MS + 1, now)).to.equal('hold');
      expect(verdictOf(p, p - LATE_DISPATCH_CLEAR_MARGIN_MS, now)).to.equal('clear');
      expect(verdictOf(now, now, now)).to.equal('late');
      expect(verdictOf(now - HOUR, null, now)).to.equal('late');
    });

    it('puts the work of a queue that outlasts the day on the next working day', function () {
      // 14 lines at one an hour from Friday 17:00: 2 h on Friday, 12 on Monday → ready Monday 19:00,
      // gone at 21:00: eight hours after its promise (Monday 13:00, 8 working hours away).
      const queue = [order(1, MONDAY_07 + 6 * HOUR, { unpickedLines: 14 })];
      const [f] = forecastDispatch(queue, flow, BERLIN, FRIDAY_17);
      expect(f!.pickedBy).to.equal(MONDAY_07 + 12 * HOUR);
      expect(f!.verdict).to.equal('at_risk');
    });

    it('speaks only for orders due within its horizon, and sees a queue that stopped moving', function () {
      const queue = [order(1, now + 4 * HOUR, { unpickedLines: 20 }), order(2, now + 2 * 24 * HOUR)];
      const busy = forecastDispatch(queue, flow, BERLIN, now);
      expect(busy.map((x) => x.verdict)).to.deep.equal(['at_risk', 'hold']);
      // Nothing picked in the last 8 working hours: an order due soon will not leave in time.
      const stopped = forecastDispatch([order(3, now + 7 * HOUR)], { ...flow, recentPicks: 0 }, BERLIN, now);
      expect(stopped[0]).to.include({ verdict: 'at_risk', picksPerHour: 0, dispatchBy: Infinity });
      expect(stopped[0]!.linesAhead).to.equal(1);
    });

    it('has nothing to say without a week of picks to go by, and leaves backorders out of the queue', function () {
      const queue = [order(1, now + 2 * HOUR, { unreservedLines: 1 }), order(2, now + 3 * HOUR)];
      const quiet = forecastDispatch(queue, { ...flow, historyPicks: 5, recentPicks: 0 }, BERLIN, now);
      expect(quiet.map((x) => x.verdict)).to.deep.equal(['hold', 'hold']);
      const busy = forecastDispatch(queue, flow, BERLIN, now);
      expect(busy.find((x) => x.orderId === 'ORDER-1')).to.include({ verdict: 'hold', dispatchBy: null });
      expect(busy.find((x) => x.orderId === 'ORDER-2')).to.include({ linesAhead: 1 });
    });
  });

  describe('the audit policy', function () {
    it('has the defaults of its configuration, which the generator keeps its traffic inside', function () {
      const config = loadConfig({});
      expect({
        adjustmentValueLimit: config.AUDIT_ADJUSTMENT_VALUE_LIMIT,
        nightHours: config.AUDIT_NIGHT_HOURS,
      }).to.deep.equal(DEFAULT_AUDIT_POLICY);
    });

    const policy = { adjustmentValueLimit: 5000, nightHours: { from: 22, to: 6 } };
    const event = (extra: Partial<AuditEvent>): AuditEvent => ({
      stream: 'audit',
      eventId: '6f1c0b1e-8f0a-4a55-9a43-2f4f2b0c1d01',
      eventType: 'MANUAL_ADJUSTMENT',
      actor: 'clerk-1',
      occurredAt: new Date('2026-03-06T12:00:00Z'),
      warehouseId: 'WH',
      sku: 'SKU',
      entity: 'stock',
      entityId: 'SKU:WH',
      field: null,
      oldValue: null,
      newValue: null,
      quantityChange: -50,
      countedQuantity: null,
      expectedQuantity: null,
      referenceId: 'COUNT-1',
      reasonCode: 'WRITE_OFF',
      ...extra,
    });

    it('flags an adjustment worth more than the limit, high from four times it', function () {
      const ctx = { unitCost: 100, timezone: 'UTC' };
      expect(auditBreach(event({}), ctx, policy)).to.equal(null);
      expect(auditBreach(event({ quantityChange: 51 }), ctx, policy)).to.include({
        reason: 'adjustment_value',
        severity: 'medium',
      });
      expect(auditBreach(event({ quantityChange: -200 }), ctx, policy)).to.include({ severity: 'high' });
      expect(auditBreach(event({ quantityChange: -51 }), { ...ctx, unitCost: null }, policy)).to.equal(null);
    });

    it('flags a master-data edit at night in the warehouse’s local time, the night wrapping midnight', function () {
      expect(
        isNight(23, policy.nightHours) && isNight(0, policy.nightHours) && isNight(5, policy.nightHours),
      ).to.equal(true);
      expect(isNight(6, policy.nightHours) || isNight(21, policy.nightHours)).to.equal(false);
      expect(isNight(3, { from: 1, to: 4 })).to.equal(true);
      const edit = (iso: string) =>
        event({
          eventType: 'MASTER_DATA_EDIT',
          entity: 'stock_policy',
          field: 'reorder_point',
          oldValue: '10',
          newValue: '40',
          quantityChange: null,
          occurredAt: new Date(iso),
        });
      // 22:30 UTC is 23:30 in Berlin (night), and 06:30 in Singapore (morning).
      expect(
        auditBreach(edit('2026-03-06T22:30:00Z'), { unitCost: 1, timezone: 'Europe/Berlin' }, policy),
      ).to.include({
        reason: 'night_edit',
      });
      expect(
        auditBreach(edit('2026-03-06T22:30:00Z'), { unitCost: 1, timezone: 'Asia/Singapore' }, policy),
      ).to.equal(null);
    });
  });

  it('mails a lost or damaged parcel, and only watches a carrier’s delay', function () {
    expect(EXCEPTION_POLICY.LOST.severity).to.equal('high');
    expect(EXCEPTION_POLICY.DAMAGED.severity).to.equal('high');
    expect(EXCEPTION_POLICY.DELAYED.severity).to.equal('low');
  });
});
