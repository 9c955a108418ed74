import { expect } from 'chai';
import {
  backtestPair,
  mase,
  seasonalNaive,
  seasonalNaiveScale,
  smape,
  smapeTerm,
  summariseBacktest,
  type PairBacktest,
} from '../../../inventory/forecast/index.js';

describe('forecast scores: seasonal naive, MASE and sMAPE', function () {
  const train = [1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 6, 5, 6, 9];

  it('repeats the last week, weekday by weekday, over any horizon', function () {
    expect(seasonalNaive(train, 3)).to.deep.equal([3, 2, 3]);
    expect(seasonalNaive(train, 9)).to.deep.equal([3, 2, 3, 6, 5, 6, 9, 3, 2]);
    expect(() => seasonalNaive([1, 2], 1)).to.throw(RangeError);
  });

  it('scales MASE by the in-sample one-step seasonal-naive MAE', function () {
    // |3−1| + |2−2| + |3−3| + |6−4| + |5−5| + |6−6| + |9−7| = 6 over 7 days.
    expect(seasonalNaiveScale(train)).to.be.closeTo(6 / 7, 1e-12);
    expect(seasonalNaiveScale(train.slice(0, 7))).to.equal(null);
    // Errors 1, 1, 2 → MAE 4/3; scaled: (4/3) / (6/7) = 14/9.
    expect(mase([4, 3, 1], [3, 2, 3], 6 / 7)).to.be.closeTo(14 / 9, 1e-12);
    expect(mase([1], [2], 0), 'a series that repeats its weeks has no scale').to.equal(null);
  });

  it('takes sMAPE in percent, 0/0 days counting as perfect', function () {
    expect(smapeTerm(4, 2)).to.be.closeTo((200 * 2) / 6, 1e-12);
    expect(smapeTerm(0, 0)).to.equal(0);
    expect(smapeTerm(0, 0.5)).to.equal(200);
    expect(smapeTerm(3, 0)).to.equal(200);
    // (66.67 + 0 + 200 + 0) / 4
    expect(smape([4, 0, 0, 5], [2, 0, 1, 5])).to.be.closeTo((400 / 6 + 200) / 4, 1e-12);
  });
});

describe('rolling-origin backtest', function () {
  const weekly = (n: number) => Array.from({ length: n }, (_, t) => [2, 5, 6, 5, 6, 8, 3][t % 7]! + (t % 3));

  it('places origins every 7 days after the warm-up, each with the whole lead time inside the history', function () {
    // n = 100, L = 10: origins 56, 63, …, 84 (84 + 10 ≤ 100; 91 + 10 > 100).
    const r = backtestPair(weekly(100), 10)!;
    expect(r.origins).to.equal(5);
    expect(r.days).to.equal(50);
    expect(backtestPair(weekly(60), 10), 'no origin fits').to.equal(null);
    expect(backtestPair(weekly(66), 10)!.origins).to.equal(1);
  });

  it('scores both models on the same days; a perfectly weekly series is forecast better than naive', function () {
    const r = backtestPair(weekly(200), 7)!;
    expect(r.forecast_mase).to.be.a('number');
    expect(r.forecast_mase!).to.be.below(r.baseline_mase!);
    expect(r.band_coverage).to.be.within(0, 1);
    const zeros = backtestPair(new Array(100).fill(0), 7)!;
    expect(zeros).to.include({
      forecast_mase: null,
      baseline_mase: null,
      forecast_smape: 0,
      baseline_smape: 0,
    });
  });

  it('averages per-pair scores; MASE over the pairs that have a scale', function () {
    const p = (f: number | null, b: number | null, fs: number, bs: number): PairBacktest => ({
      origins: 2,
      days: 10,
      forecast_mase: f,
      baseline_mase: b,
      forecast_smape: fs,
      baseline_smape: bs,
      band_coverage: 0.5,
    });
    const s = summariseBacktest([p(0.5, 1, 40, 60), p(1.5, 1, 80, 60), p(null, null, 0, 0), null]);
    expect(s).to.deep.equal({
      pairs: 3,
      pairs_scaled: 2,
      origins: 6,
      forecast_mase: 1,
      baseline_mase: 1,
      forecast_smape: 40,
      baseline_smape: 40,
      band_coverage: 0.5,
      pairs_better_than_baseline: 0.5,
    });
  });
});
