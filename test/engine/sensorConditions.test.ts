import { expect } from 'chai';
import { nameMatcher } from '../../engine/fileSensor.js';
import { pokeDelayMs } from '../../engine/sensor.js';
import { holds } from '../../engine/sqlSensor.js';
import { runDagInProcess, defineDag, sensor, task, SkipTaskError } from '../../engine/index.js';
import { createLogger } from '../../platform/index.js';
import type { SensorSettings } from '../../engine/index.js';

describe('sensor conditions and schedules', () => {
  it('matches file names by glob over the whole name, leaving hidden files out unless asked', () => {
    const csv = nameMatcher('stock_*.csv');
    expect(['stock_a.csv', 'stock_.csv', 'stock_2026-03-04.csv'].every(csv)).to.equal(true);
    expect(['stock_a.csv.part', 'xstock_a.csv', 'stock_a.CSV', '.stock_a.csv'].some(csv)).to.equal(false);
    expect(nameMatcher('?.txt')('a.txt')).to.equal(true);
    expect(nameMatcher('?.txt')('ab.txt')).to.equal(false);
    expect(nameMatcher('a+b(1).csv')('a+b(1).csv')).to.equal(true); // regex characters are literal
    expect(nameMatcher('.*')('.done')).to.equal(true);
    expect(nameMatcher(/^STOCK-\d+\.csv$/i)('stock-42.csv')).to.equal(true);
  });

  it('takes a first column as "holds" when it is true, a non-zero number or any other value', () => {
    for (const yes of [true, 1, -2, '3', '0.5', 'ready', new Date(0)])
      expect(holds(yes), String(yes)).to.equal(true);
    for (const no of [false, 0, '0', ' 0.0 ', '', null, undefined])
      expect(holds(no), String(no)).to.equal(false);
  });

  it('pokes at its interval, or doubling from it up to maxIntervalMs with exponential backoff', () => {
    const s: SensorSettings = {
      intervalMs: 1_000,
      timeoutMs: 60_000,
      exponentialBackoff: false,
      maxIntervalMs: 5_000,
      onTimeout: 'fail',
    };
    expect([1, 2, 5].map((n) => pokeDelayMs(s, n))).to.deep.equal([1_000, 1_000, 1_000]);
    const backoff = { ...s, exponentialBackoff: true };
    expect([1, 2, 3, 4, 100].map((n) => pokeDelayMs(backoff, n))).to.deep.equal([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('pokes in the process when nothing is recorded, and a skip there counts as skipped', async () => {
    let calls = 0;
    const dag = defineDag({
      id: 'local_sensor',
      schedule: null,
      startDate: '2026-01-01T00:00:00Z',
      tasks: {
        third: sensor({ poke: () => (calls += 1) >= 3, intervalMs: 10, timeoutMs: 10_000 }),
        gone: sensor({ poke: () => false, intervalMs: 10, timeoutMs: 50, onTimeout: 'skip' }),
        after: task(() => 'ran', { upstream: ['gone'] }),
      },
    });
    const result = await runDagInProcess(
      dag,
      { db: undefined as never, services: {}, logger: createLogger({ level: 'silent' }) },
      { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') },
    );
    expect(calls).to.equal(3);
    expect(result.outputs).to.deep.equal({ third: null });
    expect(result.skipped).to.have.members(['gone', 'after']);
    expect(result.failed).to.deep.equal({});
    expect(new SkipTaskError('x').message).to.equal('skipped: x');
  });
});
