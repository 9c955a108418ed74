import { expect } from 'chai';
import {
  BAND_LEVEL,
  BETA,
  fitHoltWinters,
  forecastFrom,
  forecastDemand,
  seasonalNaive,
} from '../../../inventory/forecast/index.js';
import { seeded } from '../../dags/fixtures.js';

/** Relative weekday volumes, Sunday first: busy weekdays, quiet weekends. */
const WEEK = [0.4, 1.0, 1.1, 1.05, 1.0, 1.2, 0.6];

/** A standard normal draw (Box-Muller) from a seeded uniform generator. */
const normal = (rnd: () => number) => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());

/** Daily demand (level + slope·t)·weekday + noise, rounded to whole units and never negative. */
function series(n: number, o: { level: number; slope: number; noise: number; seed: number }): number[] {
  const rnd = seeded(o.seed);
  return Array.from({ length: n }, (_, t) =>
    Math.max(0, Math.round((o.level + o.slope * t) * WEEK[t % 7]! + o.noise * normal(rnd))),
  );
}

const mae = (a: number[], f: number[]) => a.reduce((s, x, i) => s + Math.abs(x - f[i]!), 0) / a.length;

describe('demand forecast: damped Holt-Winters with weekly seasonality', function () {
  it('recovers a noiseless weekly pattern on a trend: within 3 % of the truth two weeks ahead', function () {
    // Additive, as the model: level + slope·t + a weekday offset.
    const truth = (t: number) => 20 + 0.1 * t + 10 * (WEEK[t % 7]! - 1);
    const y = Array.from({ length: 84 }, (_, t) => truth(t));
    const f = forecastDemand(y, 14);
    expect(f.model).to.equal('holt_winters');
    f.mean.forEach((m, k) => expect(m, `day ${k + 1}`).to.be.closeTo(truth(84 + k), 0.03 * truth(84 + k)));
    // The weekly shape survives: the forecast's Friday is its busiest day, Sunday its quietest.
    const byWeekday = f.mean.slice(0, 7).map((m, k) => [(84 + k) % 7, m] as const);
    const sorted = [...byWeekday].sort((a, b) => a[1] - b[1]);
    expect(sorted[0]![0]).to.equal(0);
    expect(sorted[6]![0]).to.equal(5);
  });

  it('forecasts a noisy weekly pattern with a trend better than seasonal naive', function () {
    let model = 0;
    let naive = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const y = series(84 + 14, { level: 12, slope: 0.05, noise: 3, seed });
      const train = y.slice(0, 84);
      const actual = y.slice(84);
      model += mae(actual, forecastDemand(train, 14).mean);
      naive += mae(actual, seasonalNaive(train, 14));
    }
    expect(model / naive, `MAE ratio ${(model / naive).toFixed(3)}`).to.be.below(0.8);
  });

  it('fits by one sweep of coordinate descent within 5 % of the whole grid, and forecasts as well', function () {
    for (let seed = 1; seed <= 10; seed++) {
      const y = series(84, { level: 5 + seed, slope: 0.02 * (seed - 5), noise: 2, seed });
      const quick = fitHoltWinters(y);
      const exhaustive = fitHoltWinters(y, { exhaustive: true });
      expect(quick.params.beta).to.equal(BETA);
      expect(quick.mse / exhaustive.mse, `seed ${seed}`).to.be.within(1, 1.05);
    }
    // What the fit is for: the two weeks after the training days, over 40 series.
    let quickError = 0;
    let exhaustiveError = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const y = series(84 + 14, { level: 5 + (seed % 10), slope: 0.02 * ((seed % 10) - 5), noise: 2, seed });
      const actual = y.slice(84);
      for (const [fit, add] of [
        [fitHoltWinters(y.slice(0, 84)), (e: number) => (quickError += e)],
        [fitHoltWinters(y.slice(0, 84), { exhaustive: true }), (e: number) => (exhaustiveError += e)],
      ] as const)
        add(mae(actual, forecastFrom(fit.state, fit.params.phi, 14)) * actual.length);
    }
    expect(quickError / exhaustiveError).to.be.within(0.97, 1.02);
  });

  it('gives a zero forecast with no spread for a series without sales, even a long one', function () {
    for (const y of [[], [0, 0, 0], new Array(120).fill(0)]) {
      const f = forecastDemand(y, 5);
      expect(f).to.deep.include({ model: 'zero', params: null, leadTime: { mean: 0, sigma: 0 } });
      expect([...f.mean, ...f.lower, ...f.upper]).to.deep.equal(new Array(15).fill(0));
    }
  });

  it('falls back to the mean of a series under two weeks: σ per day from the days, √L for the total', function () {
    const y = [2, 4, 0, 6, 3]; // mean 3, sample variance (1 + 1 + 9 + 9 + 0) / 4 = 5
    const f = forecastDemand(y, 4);
    expect(f.model).to.equal('mean');
    expect(f.mean).to.deep.equal([3, 3, 3, 3]);
    expect(f.leadTime.mean).to.equal(12);
    expect(f.leadTime.sigma).to.be.closeTo(Math.sqrt(5) * 2, 1e-12);
    expect(f.lower[0]).to.be.closeTo(Math.max(0, 3 - 1.2815515655446004 * Math.sqrt(5)), 1e-12);
    expect(forecastDemand([7], 2)).to.deep.include({ model: 'mean', mean: [7, 7], lower: [7, 7] });
  });

  it('never forecasts negative demand, and keeps lower ≤ mean ≤ upper', function () {
    const falling = Array.from({ length: 42 }, (_, t) => Math.max(0, 30 - t));
    const f = forecastDemand(falling, 21);
    expect(f.model).to.equal('holt_winters');
    for (let k = 0; k < 21; k++) {
      expect(f.mean[k]).to.be.at.least(0);
      expect(f.lower[k]).to.be.at.least(0).and.at.most(f.mean[k]!);
      expect(f.upper[k]).to.be.at.least(f.mean[k]!);
    }
    expect(f.mean.at(-1)).to.equal(0);
  });

  it('forecasts a weekday without sales in each of its last four weeks as exactly 0', function () {
    // Closed at weekends (Saturday = t mod 7 = 6, Sunday = 0).
    const y = series(84, { level: 10, slope: 0, noise: 1, seed: 3 }).map((v, t) =>
      t % 7 === 0 || t % 7 === 6 ? 0 : v,
    );
    const f = forecastDemand(y, 7);
    for (let k = 0; k < 7; k++) {
      const weekday = (84 + k) % 7;
      if (weekday === 0 || weekday === 6)
        expect([f.mean[k], f.lower[k], f.upper[k]]).to.deep.equal([0, 0, 0]);
      else expect(f.mean[k]).to.be.greaterThan(5);
    }
    expect(f.leadTime.mean).to.be.closeTo(
      f.mean.reduce((a, b) => a + b, 0),
      1e-9,
    );
  });

  it('draws an 80 % band that holds about 80 % of future days, and a lead-time σ of the right size', function () {
    let inside = 0;
    let days = 0;
    const totalErrors: number[] = [];
    const sigmas: number[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      const y = series(84 + 7, { level: 20, slope: 0, noise: 4, seed });
      const f = forecastDemand(y.slice(0, 84), 7);
      const actual = y.slice(84);
      actual.forEach((a, k) => {
        days++;
        if (a >= f.lower[k]! && a <= f.upper[k]!) inside++;
      });
      totalErrors.push(actual.reduce((a, b) => a + b, 0) - f.leadTime.mean);
      sigmas.push(f.leadTime.sigma);
    }
    expect(BAND_LEVEL).to.equal(0.8);
    expect(inside / days).to.be.within(0.7, 0.9);
    // The noise is independent, σ = 4 a day: the 7-day total has σ ≈ 4·√7 ≈ 10.6 plus the error
    // of the estimated level. The stated σ and the observed spread agree with it and each other.
    const rms = Math.sqrt(totalErrors.reduce((s, e) => s + e * e, 0) / totalErrors.length);
    const meanSigma = sigmas.reduce((a, b) => a + b, 0) / sigmas.length;
    expect(meanSigma).to.be.within(9, 16);
    expect(rms / meanSigma).to.be.within(0.7, 1.4);
  });

  it('fits a pair in well under a millisecond', function () {
    const pairs = Array.from({ length: 300 }, (_, i) =>
      series(84, { level: 1 + (i % 30), slope: 0.01, noise: 2, seed: i + 1 }),
    );
    pairs.forEach((y) => forecastDemand(y, 10)); // warm up the JIT
    const started = performance.now();
    pairs.forEach((y, i) => forecastDemand(y, 1 + (i % 21)));
    const msPerPair = (performance.now() - started) / pairs.length;
    expect(msPerPair).to.be.below(1);
  });
});
