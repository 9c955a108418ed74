import { expect } from 'chai';
import { intervalsBetween, latestEndedInterval, nextFireAfter } from '../../engine/index.js';

const berlin = (schedule: string) => ({ schedule, timezone: 'Europe/Berlin' });
const iso = (d: Date) => d.toISOString();

describe('schedule math', () => {
  it('runs a 02:00 Europe/Berlin job exactly once on the spring-forward day (at 03:00 CEST)', () => {
    const starts = intervalsBetween(
      berlin('0 2 * * *'),
      new Date('2026-03-28T00:00:00Z'),
      new Date('2026-03-30T23:00:00Z'),
    );
    expect(starts.map((i) => iso(i.start))).to.deep.equal([
      '2026-03-28T01:00:00.000Z', // 02:00 CET
      '2026-03-29T01:00:00.000Z', // 02:00 does not exist: 03:00 CEST
      '2026-03-30T00:00:00.000Z', // 02:00 CEST
    ]);
  });

  it('runs a 02:00 Europe/Berlin job exactly once on the fall-back day', () => {
    const starts = intervalsBetween(
      berlin('0 2 * * *'),
      new Date('2026-10-24T00:00:00Z'),
      new Date('2026-10-26T23:00:00Z'),
    );
    expect(starts.map((i) => iso(i.start))).to.deep.equal([
      '2026-10-24T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:00:00.000Z', // the first 02:00; the repeated hour does not fire again
      '2026-10-26T01:00:00.000Z', // 02:00 CET
    ]);
    // The interval of the change day lasts 25 hours.
    expect(starts[1]!.end.getTime() - starts[1]!.start.getTime()).to.equal(25 * 3600_000);
  });

  it('fires an hourly job on every real hour across the fall-back change (25 that day)', () => {
    const day = intervalsBetween(
      berlin('0 * * * *'),
      new Date('2026-10-24T22:00:00Z'),
      new Date('2026-10-25T22:59:00Z'),
    );
    expect(day).to.have.length(25);
    for (const i of day) expect(i.end.getTime() - i.start.getTime()).to.equal(3600_000);
  });

  it('gives Airflow intervals: logical date = interval start, the run due when the interval ends', () => {
    const spec = { schedule: '0 2 * * *', timezone: 'UTC' };
    const latest = latestEndedInterval(
      spec,
      new Date('2026-05-10T02:00:00Z'),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(iso(latest!.start)).to.equal('2026-05-09T02:00:00.000Z');
    expect(iso(latest!.end)).to.equal('2026-05-10T02:00:00.000Z');
    const before = latestEndedInterval(
      spec,
      new Date('2026-05-10T01:59:59Z'),
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(iso(before!.start)).to.equal('2026-05-08T02:00:00.000Z');
    expect(
      latestEndedInterval(spec, new Date('2026-01-02T01:00:00Z'), new Date('2026-01-01T00:00:00Z')),
    ).to.equal(undefined);
  });

  it('finds the latest interval of a weekly job far in the past without stepping backwards', () => {
    const spec = { schedule: '0 1 * * 1', timezone: 'UTC' };
    const latest = latestEndedInterval(
      spec,
      new Date('2026-06-03T12:00:00Z'),
      new Date('2020-01-01T00:00:00Z'),
    );
    expect(iso(latest!.start)).to.equal('2026-05-25T01:00:00.000Z');
    expect(iso(nextFireAfter(spec, latest!.start))).to.equal('2026-06-01T01:00:00.000Z');
  });
});
