import { expect } from 'chai';
import {
  cleanseSales,
  fitHoltWinters,
  forecastDemand,
  forecastFrom,
} from '../../../inventory/forecast/index.js';
import { seeded } from '../../dags/fixtures.js';

/** Relative weekday volumes, Sunday first. */
const WEEK = [0.4, 1.0, 1.1, 1.05, 1.0, 1.2, 0.6];

/** 84 days of Poisson-like weekly demand around `level` a day, whole units. */
function weekly(level: number, seed: number): number[] {
  const rnd = seeded(seed);
  return Array.from({ length: 84 }, (_, t) => {
    // A sum of 12 uniforms: about normal, mean level·weekday, spread √(level·weekday).
    const mean = level * WEEK[t % 7]!;
    let u = 0;
    for (let i = 0; i < 12; i++) u += rnd();
    return Math.max(0, Math.round(mean + (u - 6) * Math.sqrt(mean)));
  });
}

describe('demand forecast: cleansing the training days', function () {
  it('hardly touches ordinary weekly demand: under 2 % of days trimmed, by a few units', function () {
    let days = 0;
    let trimmed = 0;
    let units = 0;
    let lost = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const y = weekly(5 + seed, seed);
      const cleansed = cleanseSales(y);
      y.forEach((v, t) => {
        days++;
        units += v;
        expect(cleansed[t], `seed ${seed} day ${t}`)
          .to.be.at.most(v)
          .and.at.least(v - 5);
        if (cleansed[t] !== v) trimmed++;
        lost += v - cleansed[t]!;
      });
    }
    expect(trimmed / days).to.be.below(0.02);
    expect(lost / units).to.be.below(0.002);
  });

  it('caps the days of a demand surge near what that weekday usually sells', function () {
    const y = weekly(10, 3);
    const surged = y.map((v, t) => (t >= 60 && t < 63 ? v + 80 : v));
    const cleansed = cleanseSales(surged);
    for (let t = 60; t < 63; t++) expect(cleansed[t], `day ${t}`).to.be.at.most(y[t]! + 20);
    const others = y.filter((v, t) => (t < 60 || t >= 63) && cleansed[t] !== v);
    expect(others.length).to.be.at.most(2);
  });

  it("never caps a slow seller's ordinary sale, never raises a day and keeps every zero", function () {
    // Three units now and then, nothing on most days; once a bulk of 600.
    const y: number[] = Array.from({ length: 84 }, (_, t) => (t % 9 === 0 ? 3 : t % 13 === 0 ? 6 : 0));
    y[50] = 600;
    const cleansed = cleanseSales(y);
    y.forEach((v, t) => {
      if (t === 50) expect(cleansed[t]).to.be.within(3, 12);
      else expect(cleansed[t], `day ${t}`).to.equal(v);
    });
  });

  it('returns a series shorter than two weeks, or without sales, unchanged', function () {
    expect([...cleanseSales([1, 90, 2])]).to.deep.equal([1, 90, 2]);
    expect([...cleanseSales(new Array(30).fill(0))]).to.deep.equal(new Array(30).fill(0));
  });

  it('keeps a surge in the training days from becoming the forecast of the weeks after it', function () {
    for (let seed = 1; seed <= 10; seed++) {
      const y = weekly(12, seed);
      // The surge ends three days before the forecast is made: where it weighs most.
      const surged = y.map((v, t) => (t >= 78 && t < 81 ? v + 150 : v));
      const plain = forecastDemand(y, 14).leadTime.mean;
      // The same model fitted to the days as they are follows the surge up.
      const raw = fitHoltWinters(surged);
      const uncleansed = forecastFrom(raw.state, raw.params.phi, 14).reduce((a, b) => a + b, 0);
      expect(uncleansed / plain, `seed ${seed}, uncleansed`).to.be.above(2);
      expect(forecastDemand(surged, 14).leadTime.mean / plain, `seed ${seed}`).to.be.within(0.9, 1.4);
    }
  });
});
