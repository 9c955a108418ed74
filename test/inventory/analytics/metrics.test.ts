import { expect } from 'chai';
import {
  alertSeverity,
  compareSeverity,
  computeMetrics,
  normalCdf,
  stockoutRisk,
  trend,
  velocity,
  volatility,
  Z_95,
} from '../../../inventory/analytics/index.js';
import { InvalidInputError } from '../../../platform/index.js';

const days = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('analytics: SPEC §5 metrics', () => {
  describe('normal distribution', () => {
    it('gives Φ(0) = 0.5, Φ(z95) = 0.95 and Φ(-1.96) ≈ 0.025 to within 2e-7', () => {
      expect(normalCdf(0)).to.be.closeTo(0.5, 2e-7);
      expect(normalCdf(Z_95)).to.be.closeTo(0.95, 2e-7);
      expect(normalCdf(-1.96)).to.be.closeTo(0.024997895148, 2e-7);
      expect(normalCdf(Infinity)).to.equal(1);
      expect(normalCdf(-Infinity)).to.equal(0);
    });
  });

  describe('building blocks', () => {
    it('average the last 7 and all 30 days, counting days before the series as zero', () => {
      const sales = [...days(23, () => 1), ...days(7, () => 3)];
      expect(velocity(sales, 7)).to.equal(3);
      expect(velocity(sales, 30)).to.be.closeTo((23 + 21) / 30, 1e-12);
      expect(velocity([14], 7)).to.equal(2);
    });

    it('measure a linear decline of one unit a day as trend -1', () => {
      expect(trend(days(30, (i) => 29 - i))).to.be.closeTo(-1, 1e-12);
      expect(volatility(days(30, (i) => 29 - i))).to.be.closeTo(Math.sqrt(77.5), 1e-12);
    });

    it('treat a lead-time demand with no spread as certain', () => {
      expect(stockoutRisk(9, 10, 0)).to.equal(1);
      expect(stockoutRisk(10, 10, 0)).to.equal(0);
    });
  });

  describe('computeMetrics', () => {
    it('computes steady demand with no volatility: no risk, 45 days of cover', () => {
      const m = computeMetrics({ dailySales: days(30, () => 2), onHand: 100, reserved: 10, leadTimeDays: 5 });
      expect(m).to.deep.equal({
        velocity_7d: 2,
        velocity_30d: 2,
        volatility: 0,
        trend: 0,
        seasonality_index: 1,
        expected_daily_demand: 2,
        stockout_risk: 0,
        safety_stock: 0,
        reorder_point: 10,
        reorder_quantity: 0,
        days_of_cover: 45,
      });
    });

    it('plans safety stock, reorder point and quantity on the demand forecast when there is one', () => {
      const input = { dailySales: days(30, () => 2), onHand: 30, reserved: 0, leadTimeDays: 5 };
      const forecast = { mean: 15, sigma: 4 }; // 3 a day over the 5 days, σ 4 for the total
      const m = computeMetrics({ ...input, forecast });
      expect(m.safety_stock).to.be.closeTo(Z_95 * 4, 1e-12);
      expect(m.reorder_point).to.be.closeTo(15 + Z_95 * 4, 1e-12);
      expect(m.reorder_quantity).to.equal(Math.ceil(15 + Z_95 * 4 + 7 * 3 - 30));
      // What describes the past keeps its SPEC §5 definition.
      const plain = computeMetrics(input);
      expect({ ...m, safety_stock: 0, reorder_point: 0, reorder_quantity: 0 }).to.deep.equal({
        ...plain,
        safety_stock: 0,
        reorder_point: 0,
        reorder_quantity: 0,
      });
      expect(computeMetrics({ ...input, forecast: null })).to.deep.equal(plain);
    });

    it('computes zero volatility with too little stock as certain stock-out', () => {
      const m = computeMetrics({ dailySales: days(30, () => 5), onHand: 10, reserved: 0, leadTimeDays: 3 });
      expect(m.stockout_risk).to.equal(1);
      expect(m.reorder_point).to.equal(15);
      expect(m.reorder_quantity).to.equal(40); // ceil(15 + 7·5 − 10)
      expect(m.days_of_cover).to.equal(2);
    });

    it('computes a pair with no sales: zero demand, seasonality 1, no days of cover', () => {
      const m = computeMetrics({ dailySales: days(30, () => 0), onHand: 5, reserved: 0, leadTimeDays: 7 });
      expect(m.velocity_7d).to.equal(0);
      expect(m.velocity_30d).to.equal(0);
      expect(m.volatility).to.equal(0);
      expect(m.trend).to.equal(0);
      expect(m.seasonality_index).to.equal(1);
      expect(m.expected_daily_demand).to.equal(0);
      expect(m.stockout_risk).to.equal(0);
      expect(m.reorder_quantity).to.equal(0);
      expect(m.days_of_cover).to.equal(null);
      expect(computeMetrics({ dailySales: [], onHand: 5, reserved: 0, leadTimeDays: 7 })).to.deep.equal(m);
    });

    it('computes one day of 30 sales on day D by hand', () => {
      // mean 1; variance (29·1² + 29²)/29 = 30; slope Sxy/Sxx = (14.5·30)/2247.5 = 6/31.
      const m = computeMetrics({ dailySales: [30], onHand: 20, reserved: 0, leadTimeDays: 4 });
      expect(m.velocity_7d).to.be.closeTo(30 / 7, 1e-12);
      expect(m.velocity_30d).to.be.closeTo(1, 1e-12);
      expect(m.volatility).to.be.closeTo(Math.sqrt(30), 1e-12);
      expect(m.trend).to.be.closeTo(6 / 31, 1e-12);
      expect(m.seasonality_index).to.be.closeTo(30 / 7, 1e-12);
      expect(m.expected_daily_demand).to.be.closeTo(1315 / 434, 1e-12); // (30/7 + 1)/2 + (6/31)·4/2
      expect(m.stockout_risk).to.be.closeTo(0.2359598392, 1e-6);
      expect(m.safety_stock).to.be.closeTo(18.0184687055, 1e-9);
      expect(m.reorder_point).to.be.closeTo(12.1198156682 + 18.0184687055, 1e-9);
      expect(m.reorder_quantity).to.equal(32); // ceil(31.348)
      expect(m.days_of_cover).to.be.closeTo(6.6007604563, 1e-9);
    });

    it('clamps expected demand at zero when a steep negative trend outweighs velocity', () => {
      const sales = days(30, (i) => 29 - i);
      const short = computeMetrics({ dailySales: sales, onHand: 10, reserved: 0, leadTimeDays: 10 });
      expect(short.expected_daily_demand).to.be.closeTo(3.75, 1e-12); // (3 + 14.5)/2 − 1·10/2
      const long = computeMetrics({ dailySales: sales, onHand: 10, reserved: 0, leadTimeDays: 20 });
      expect(long.expected_daily_demand).to.equal(0);
      expect(long.days_of_cover).to.equal(null);
      expect(long.stockout_risk).to.be.closeTo(0.3997476809, 1e-6);
      expect(long.reorder_quantity).to.equal(55); // ceil(z95 · √77.5 · √20 − 10)
    });

    it('treats reserved stock as unavailable, and available ≤ 0 as a certain, critical stock-out', () => {
      const m = computeMetrics({ dailySales: days(30, () => 1), onHand: 3, reserved: 5, leadTimeDays: 2 });
      expect(m.stockout_risk).to.equal(1);
      expect(m.reorder_quantity).to.equal(11); // ceil(2 + 7 − (−2))
      expect(m.days_of_cover).to.equal(-2);
      expect(alertSeverity(m.stockout_risk, 3 - 5)).to.equal('critical');
    });

    it('rejects more than 30 days, negative sales and a non-positive lead time', () => {
      const base = { onHand: 1, reserved: 0, leadTimeDays: 1 };
      expect(() => computeMetrics({ ...base, dailySales: days(31, () => 0) })).to.throw(InvalidInputError);
      expect(() => computeMetrics({ ...base, dailySales: [-1] })).to.throw(InvalidInputError);
      expect(() => computeMetrics({ ...base, dailySales: [], leadTimeDays: 0 })).to.throw(InvalidInputError);
    });
  });

  describe('alert severity', () => {
    it('is high from 0.5, medium from 0.2, none below, and critical when nothing is available', () => {
      expect(alertSeverity(0.5, 10)).to.equal('high');
      expect(alertSeverity(0.49, 10)).to.equal('medium');
      expect(alertSeverity(0.2, 10)).to.equal('medium');
      expect(alertSeverity(0.19, 10)).to.equal(undefined);
      expect(alertSeverity(0, 0)).to.equal('critical');
      expect(alertSeverity(0.9, -3)).to.equal('critical');
      expect(compareSeverity('critical', 'high')).to.be.greaterThan(0);
      expect(compareSeverity('medium', 'high')).to.be.lessThan(0);
    });
  });
});
