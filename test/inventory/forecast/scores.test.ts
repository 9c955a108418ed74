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

  it('leaves labelled incident days out of the scored days, and scores all days beside', function () {
    const sales = weekly(120);
    sales[66] = 500; // a surge in the horizon of the origin at 63
    const plain = backtestPair(sales, 7)!;
    const ruled = backtestPair(sales, 7, { incidentDays: new Set([66]) })!;
    expect(plain.incident_days).to.equal(0);
    const { origins: _o, incident_days: _i, all_days: allDays, ...scored } = plain;
    expect(allDays, 'without labels the rule scores every day').to.deep.equal(scored);
    expect(ruled.all_days, 'all days: the same with or without labels').to.deep.equal(plain.all_days);
    expect(ruled.incident_days).to.equal(1);
    expect(ruled.days).to.equal(plain.days - 1);
    // The one surge day dominates the all-days MASE; without it the model is judged on demand.
    expect(ruled.forecast_mase!).to.be.below(plain.forecast_mase! / 2);
    expect(ruled.forecast_mase!).to.be.below(ruled.baseline_mase!);
  });

  it('no longer lets a labelled surge in the training days inflate the MASE scale', function () {
    const sales = weekly(120);
    sales[40] = 400; // in the training days of the origins 56 … 119
    const plain = backtestPair(sales, 7)!;
    const ruled = backtestPair(sales, 7, { incidentDays: new Set([40]) })!;
    expect(ruled.days, 'no scored day is an incident day').to.equal(plain.days);
    expect(ruled.forecast_smape).to.equal(plain.forecast_smape);
    // The same errors over a smaller scale: the surge made the model look better than it is.
    expect(ruled.forecast_mase!).to.be.above(plain.forecast_mase!);
  });

  it('scales by the seasonal-naive MAE of the training days without the pairs that hold an incident day', function () {
    // One origin at 21 on 21 training days that repeat a week exactly, but for day 15 (10 units
    // instead of its weekday's 2): with it the scale is |10 − 2| / 14 pairs; without the pairs
    // that hold it, 0, and MASE is undefined.
    const week = [1, 2, 3, 4, 5, 6, 7];
    const sales = Array.from({ length: 28 }, (_, t) => week[t % 7]!);
    sales[15] = 10;
    const r = backtestPair(sales, 7, { warmup: 21, window: 21, incidentDays: new Set([15]) })!;
    expect(r.origins).to.equal(1);
    expect(r.incident_days, 'day 15 is a training day, not a scored one').to.equal(0);
    expect(r.forecast_mase).to.equal(null);
    expect(r.forecast_smape).to.be.a('number');
    // Seasonal naive repeats days 14 … 20: off by 8 on day 22 only. MAE 8/7, scale 8/14.
    expect(r.all_days.baseline_mase).to.be.closeTo(2, 1e-12);
  });

  it('averages per-pair scores; MASE over the pairs that have a scale', function () {
    const scores = (f: number | null, b: number | null, fs: number, bs: number) => ({
      days: 10,
      forecast_mase: f,
      baseline_mase: b,
      forecast_smape: fs,
      baseline_smape: bs,
      band_coverage: 0.5,
    });
    const p = (f: number | null, b: number | null, fs: number, bs: number): PairBacktest => ({
      origins: 2,
      incident_days: 1,
      ...scores(f, b, fs, bs),
      all_days: scores(f === null ? null : f * 2, b, fs, bs),
    });
    const s = summariseBacktest([p(0.5, 1, 40, 60), p(1.5, 1, 80, 60), p(null, null, 0, 0), null]);
    const common = {
      pairs_scaled: 2,
      baseline_mase: 1,
      forecast_smape: 40,
      baseline_smape: 40,
      band_coverage: 0.5,
    };
    expect(s).to.deep.equal({
      pairs: 3,
      origins: 6,
      days: 30,
      incident_days: 3,
      ...common,
      forecast_mase: 1,
      pairs_better_than_baseline: 0.5,
      all_days: { days: 30, ...common, forecast_mase: 2, pairs_better_than_baseline: 0 },
    });
  });
});
