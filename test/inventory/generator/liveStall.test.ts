import { expect } from 'chai';
import {
  ensureOpeningStock,
  generateMasterData,
  liveEvents,
  writeMasterData,
} from '../../../inventory/generator/index.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';

describe('generator live events at a time-lapse rate', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  it('keep coming when every open shelf runs empty: deliveries come due while draws find nothing', async function () {
    this.timeout(60_000);
    // The streaming benchmark's set-up: a million events squeezed into the last half hour, from
    // the opening stock in PostgreSQL. At this hour only some warehouses are open, and they sell
    // out long before their deliveries are due in emitted events; the stream used to stop there.
    const master = generateMasterData({ skus: 200, warehouses: 5, seed: 7 });
    await writeMasterData(db.knex, master);
    // At this start the stream used to stop for good (a draw loop with no way out).
    const start = Date.parse('2026-11-22T02:50:00Z');
    const { levels } = await ensureOpeningStock(db.knex, master, { at: new Date(start - 2.5 * 3_600_000) });
    const events = liveEvents({ master, levels, seed: 7, start, rate: 1_000_000 / 1_800 });
    const started = performance.now();
    let slowest = 0;
    let last = started;
    for (let i = 1; i <= 400_000; i++) {
      events.next();
      if (i % 10_000 === 0) {
        const now = performance.now();
        slowest = Math.max(slowest, now - last);
        last = now;
      }
    }
    // 10,000 events take a few milliseconds; a stall took minutes.
    expect(slowest, 'ms for the slowest 10,000 events').to.be.below(5_000);
  });
});
