import { expect } from 'chai';
import {
  baseRate,
  baselineBrierScore,
  brierScore,
  calibrationReport,
  reliabilityBinOf,
  reliabilityTable,
  type ForecastCase,
} from '../../../inventory/analytics/index.js';

const c = (predicted: number, outcome: boolean): ForecastCase => ({ predicted, outcome });

describe('calibration: Brier score, reliability table and base-rate baseline', function () {
  // Hand-computed: (0.9−1)² + (0.2−0)² + (0.6−0)² + (0.35−1)² = 0.01 + 0.04 + 0.36 + 0.4225 = 0.8325.
  const cases = [c(0.9, true), c(0.2, false), c(0.6, false), c(0.35, true)];

  it('scores the mean squared gap between prediction and outcome', function () {
    expect(brierScore(cases)).to.be.closeTo(0.8325 / 4, 1e-12);
    expect(brierScore([c(1, true), c(0, false)])).to.equal(0);
    expect(brierScore([c(1, false), c(0, true)])).to.equal(1);
    expect(Number.isNaN(brierScore([]))).to.equal(true);
  });

  it('gives the baseline the base rate for every case, so its score is r·(1 − r)', function () {
    expect(baseRate(cases)).to.equal(0.5);
    // Each case is 0.5 away from its outcome: 0.25.
    expect(baselineBrierScore(cases)).to.be.closeTo(0.25, 1e-12);
    const rare = [c(0, true), c(0, false), c(0, false), c(0, false)];
    expect(baselineBrierScore(rare)).to.be.closeTo(0.25 * 0.75, 1e-12);
  });

  it('bins predictions into [i/10, (i+1)/10) with 1 in the last bin', function () {
    expect([0, 0.05, 0.1, 0.3, 0.7, 0.99, 1].map((p) => reliabilityBinOf(p))).to.deep.equal([
      0, 0, 1, 3, 7, 9, 9,
    ]);
  });

  it('reports per bin the count, the mean prediction and the observed frequency', function () {
    const table = reliabilityTable([...cases, c(0.95, false), c(0.25, true), c(1, true)]);
    expect(table).to.have.length(10);
    expect(table.map((b) => b.count)).to.deep.equal([0, 0, 2, 1, 0, 0, 1, 0, 0, 3]);
    // Bin 2 holds 0.2 (did not run out) and 0.25 (did).
    expect(table[2]).to.deep.include({ bin: 2, count: 2, observed_frequency: 0.5 });
    expect(table[2]!.mean_predicted).to.be.closeTo(0.225, 1e-12);
    expect(table[3]).to.deep.include({ count: 1, mean_predicted: 0.35, observed_frequency: 1 });
    expect(table[9]!.mean_predicted).to.be.closeTo((0.9 + 0.95 + 1) / 3, 1e-12);
    expect(table[9]!.observed_frequency).to.be.closeTo(2 / 3, 1e-12);
    expect(table[0]).to.deep.equal({
      bin: 0,
      lower: 0,
      upper: 0.1,
      count: 0,
      mean_predicted: null,
      observed_frequency: null,
    });
  });

  it('puts the figures together under the SPEC §8 names', function () {
    const report = calibrationReport(cases);
    expect(report).to.deep.include({ cases: 4, events: 2, base_rate: 0.5 });
    expect(report.stockout_brier).to.equal(brierScore(cases));
    expect(report.stockout_brier_baseline).to.equal(baselineBrierScore(cases));
    expect(report.reliability).to.deep.equal(reliabilityTable(cases));
  });
});
