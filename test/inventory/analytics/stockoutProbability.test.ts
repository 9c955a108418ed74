import { expect } from 'chai';
import {
  STOCKOUT_CALIBRATION,
  Z_LIMIT,
  calibrated,
  leadTimeDemand,
  stockoutProbability,
  stockoutZ,
  type StockPosition,
} from '../../../inventory/analytics/index.js';
import { fitIsotonic } from '../../../inventory/backtest/index.js';
import { STOCKOUT_ALERT_AT } from '../../../inventory/alerts/index.js';

const demand = leadTimeDemand({ expectedDailyDemand: 10, volatility: 4, leadTimeDays: 7 });
const at = (available: number, onOrder = 0, daysToNextReceipt: number | null = null): StockPosition => ({
  available,
  onOrder,
  daysToNextReceipt: onOrder > 0 ? (daysToNextReceipt ?? 7) : null,
  leadTimeDays: 7,
});

describe('stock-out probability (SPEC §5, second round)', function () {
  it('takes the lead-time demand from the §5 statistics: mean μL, sigma volatility·√L', function () {
    expect(demand.mean).to.equal(70);
    expect(demand.sigma).to.be.closeTo(4 * Math.sqrt(7), 1e-12);
  });

  it('takes the demand forecast instead when the pair has one, mean and sigma together', function () {
    const forecast = { mean: 52.5, sigma: 6.25 };
    const stats = { expectedDailyDemand: 10, volatility: 4, leadTimeDays: 7 };
    expect(leadTimeDemand({ ...stats, forecast })).to.deep.equal(forecast);
    expect(leadTimeDemand({ ...stats, forecast: null })).to.deep.equal(demand);
    // A lower forecast lowers the probability of the same stock.
    expect(stockoutProbability(at(60), forecast)).to.be.below(stockoutProbability(at(60), demand));
  });

  it('never rises as the inventory position grows', function () {
    let previous = 1;
    for (let available = -20; available <= 200; available += 5) {
      const p = stockoutProbability(at(available), demand);
      expect(p).to.be.at.most(previous + 1e-15);
      expect(p).to.be.within(0, 1);
      previous = p;
    }
  });

  it('counts stock on order: a pair that has just reordered is far less at risk', function () {
    const bare = stockoutProbability(at(40), demand);
    const reordered = stockoutProbability(at(40, 120, 3), demand);
    expect(bare).to.be.at.least(STOCKOUT_ALERT_AT);
    expect(reordered)
      .to.be.below(bare / 2)
      .and.below(STOCKOUT_ALERT_AT);
  });

  it('an order due sooner lowers the risk more than one due at the end of the lead time', function () {
    const soon = stockoutProbability(at(30, 120, 2), demand);
    const late = stockoutProbability(at(30, 120, 7), demand);
    expect(soon).to.be.below(late);
  });

  it('awaits an overdue order as long again as it is already late, at least a day and at most the lead time', function () {
    const late = (days: number) => stockoutZ(at(30, 120, -days), demand);
    // Three days late: judged as an order due in three days.
    expect(late(3)).to.equal(stockoutZ(at(30, 120, 3), demand));
    // The longer an order is overdue, the riskier the pair, until the lead time caps the wait.
    expect(late(0.5)).to.equal(stockoutZ(at(30, 120, 1), demand));
    expect(late(3)).to.be.above(late(1));
    expect(late(30)).to.equal(stockoutZ(at(30, 120, 7), demand));
  });

  it('with sigma = 0, demand is certain: z is +limit when the position falls short, −limit otherwise', function () {
    const certain = { mean: 70, sigma: 0 };
    expect(stockoutZ(at(69), certain)).to.equal(Z_LIMIT);
    expect(stockoutZ(at(70), certain)).to.equal(-Z_LIMIT);
    expect(stockoutProbability(at(69), certain)).to.be.above(stockoutProbability(at(70), certain));
  });

  it('the fitted calibration is monotone: knots increase in z and never decrease in p', function () {
    const k = STOCKOUT_CALIBRATION.knots;
    for (let i = 1; i < k.length; i++) {
      expect(k[i]![0]).to.be.above(k[i - 1]![0]);
      expect(k[i]![1]).to.be.at.least(k[i - 1]![1]);
    }
    expect(calibrated(-100)).to.equal(k[0]![1]);
    expect(calibrated(100)).to.equal(k[k.length - 1]![1]);
  });

  it('isotonic fitting pools ties and violators into knots whose rates never decrease', function () {
    const cases = [
      ...Array.from({ length: 300 }, (_, i) => ({ z: -8, outcome: i < 15 })),
      ...Array.from({ length: 300 }, (_, i) => ({ z: i / 300, outcome: i % 3 === 0 })),
      ...Array.from({ length: 300 }, (_, i) => ({ z: 2 + i / 300, outcome: i % 10 !== 0 })),
    ];
    const { knots } = fitIsotonic(cases, 100);
    expect(knots[0]).to.deep.equal([-8, 0.05]);
    for (let i = 1; i < knots.length; i++) {
      expect(knots[i]![0]).to.be.above(knots[i - 1]![0]);
      expect(knots[i]![1]).to.be.at.least(knots[i - 1]![1]);
    }
    expect(knots[knots.length - 1]![1]).to.be.closeTo(0.9, 0.05);
  });
});
