import { expect } from 'chai';
import { sliceEnds } from '../../cli/eval/replay.js';
import { evalWindow } from '../../cli/eval/window.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const at = (iso: string) => Date.parse(iso);

describe('the eval window (history end and live hour)', () => {
  // Late in a UTC day was where a midnight history end left most of a day silent before the live
  // hour, and the ingestion-gap rule rightly flagged every warehouse.
  const times = [
    '2026-12-07T00:00:00.000Z',
    '2026-12-07T00:59:59.999Z',
    '2026-12-07T01:37:12.000Z',
    '2026-12-07T12:00:00.001Z',
    '2026-12-07T23:59:59.999Z',
  ];

  for (const now of times)
    it(`starts the live hour exactly where the history ends (now ${now})`, () => {
      const { historyEnd, liveHour } = evalWindow(at(now));
      expect(liveHour.start.getTime()).to.equal(historyEnd.getTime());
      expect(liveHour.end.getTime() - liveHour.start.getTime()).to.equal(HOUR_MS);
    });

  it('ends the history on a whole UTC hour, an hour before the current one', () => {
    expect(evalWindow(at('2026-12-07T23:59:59.999Z')).historyEnd.toISOString()).to.equal(
      '2026-12-07T22:00:00.000Z',
    );
    expect(evalWindow(at('2026-12-07T00:20:00.000Z')).historyEnd.toISOString()).to.equal(
      '2026-12-06T23:00:00.000Z',
    );
    expect(evalWindow(at('2026-12-07T01:00:00.000Z')).historyEnd.toISOString()).to.equal(
      '2026-12-07T00:00:00.000Z',
    );
  });

  it('makes the live hour the newest whole hour, over by now', () => {
    for (const now of times) {
      const { liveHour } = evalWindow(at(now));
      expect(liveHour.end.getTime()).to.be.at.most(at(now));
      expect(at(now) - liveHour.end.getTime()).to.be.below(HOUR_MS);
    }
  });
});

describe('the replay’s DAG stops (sliceEnds)', () => {
  it('stops at every whole 6 h of UTC after the start, every midnight included, and at the end', () => {
    const ends = sliceEnds(at('2026-12-05T13:00:00Z'), at('2026-12-07T13:00:00Z'));
    expect(ends.map((e) => new Date(e).toISOString().slice(5, 16))).to.deep.equal([
      '12-05T18:00',
      '12-06T00:00',
      '12-06T06:00',
      '12-06T12:00',
      '12-06T18:00',
      '12-07T00:00',
      '12-07T06:00',
      '12-07T12:00',
      '12-07T13:00',
    ]);
  });

  it('ends on the history’s end once, whether or not that is a whole 6 h', () => {
    const from = at('2026-12-01T00:00:00Z');
    for (const to of [from + 2 * DAY_MS, from + 2 * DAY_MS + HOUR_MS]) {
      const ends = sliceEnds(from, to);
      expect(ends.at(-1)).to.equal(to);
      expect(ends.filter((e) => e === to)).to.have.length(1);
      expect(ends.filter((e) => e % DAY_MS === 0)).to.have.length(2);
    }
  });
});
