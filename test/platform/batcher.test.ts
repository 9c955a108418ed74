import { expect } from 'chai';
import { createBatcher } from '../../platform/index.js';

/** A flush that records the batches it receives and can be held open until released. */
function recordingFlush() {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  return {
    batches,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release: () => release(),
    flush: async (items: number[]) => {
      batches.push(items);
      if (gate) await gate;
      gate = undefined;
      return items.map((n) => n * 10);
    },
  };
}

describe('batcher (group commit)', () => {
  it('sends a lone call at once, in a batch of its own', async () => {
    const r = recordingFlush();
    const call = createBatcher(r.flush);
    expect(await call(1)).to.equal(10);
    expect(r.batches).to.deep.equal([[1]]);
  });

  it('sends the calls made while a flush is in flight together in the next flush, answering each', async () => {
    const r = recordingFlush();
    const call = createBatcher(r.flush);
    r.hold();
    const first = call(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [call(2), call(3), call(4)];
    r.release();
    expect(await Promise.all([first, ...later])).to.deep.equal([10, 20, 30, 40]);
    expect(r.batches).to.deep.equal([[1], [2, 3, 4]]);
  });

  it('never puts more than maxBatch items in one flush', async () => {
    const r = recordingFlush();
    const call = createBatcher(r.flush, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => call(n)));
    expect(r.batches).to.deep.equal([[1, 2], [3, 4], [5]]);
  });

  it('fails only the item a failed batch fails on, by flushing each item again on its own', async () => {
    const batches: number[][] = [];
    const call = createBatcher(async (items: number[]) => {
      batches.push(items);
      if (items.includes(13)) throw new Error('13 is refused');
      return items;
    });
    const results = await Promise.allSettled([12, 13, 14].map((n) => call(n)));
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).to.equal('13 is refused');
    expect(batches).to.deep.equal([[12, 13, 14], [12], [13], [14]]);
  });
});
