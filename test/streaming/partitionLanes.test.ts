import { expect } from 'chai';
import { PartitionLanes } from '../../streaming/transport/index.js';

/** A batch of a partition: consecutive offsets, fetched in one generation. */
interface Item {
  generation: number;
  offsets: number[];
}

/** Lanes whose handler waits until the spec lets it go, recording what it was handed. */
function lanes(depth: number, options: { join?: boolean } = {}) {
  const handled: Array<{ partition: number; offsets: number[] }> = [];
  const gates: Array<() => void> = [];
  const events: string[] = [];
  const errors: unknown[] = [];
  const l = new PartitionLanes<Item>({
    depth,
    size: (item) => item.offsets.length,
    ...(options.join !== false && {
      canJoin: (first: Item, next: Item) => next.generation === first.generation,
      join: (items: Item[]) => ({
        generation: items[0]!.generation,
        offsets: items.flatMap((i) => i.offsets),
      }),
    }),
    concurrency: 6,
    handle: async (partition, item) => {
      handled.push({ partition, offsets: item.offsets });
      await new Promise<void>((resolve) => gates.push(resolve));
    },
    onError: (_partition, _item, err) => void errors.push(err),
    onFull: (p) => void events.push(`full ${p}`),
    onRoom: (p) => void events.push(`room ${p}`),
  });
  /** Lets the batch in hand go, and lets the lanes take what comes next. */
  const release = async () => {
    await settle();
    gates.shift()!();
    await settle();
  };
  return { l, handled, events, errors, release };
}

/** Runs every pending promise reaction (the lanes' hand-overs are all promise steps). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const item = (generation: number, from: number, n: number): Item => ({
  generation,
  offsets: Array.from({ length: n }, (_, i) => from + i),
});

describe('streaming transport: partition lanes', function () {
  it('hands the batches queued behind the one in hand over as one batch', async function () {
    const { l, handled, release } = lanes(100);
    expect(l.offer(0, item(1, 0, 3))).to.equal(true);
    expect(l.offer(0, item(1, 3, 2))).to.equal(true);
    expect(l.offer(0, item(1, 5, 4))).to.equal(true);
    await settle();
    expect(handled).to.deep.equal([{ partition: 0, offsets: [0, 1, 2] }]);
    await release();
    expect(handled[1]).to.deep.equal({ partition: 0, offsets: [3, 4, 5, 6, 7, 8] });
    await release();
    await l.idle();
  });

  it('joins only what may be joined: a batch of another generation waits for its own turn', async function () {
    const { l, handled, release } = lanes(100);
    l.offer(0, item(1, 0, 1));
    l.offer(0, item(1, 1, 1));
    l.offer(0, item(2, 0, 1));
    l.offer(0, item(2, 1, 1));
    await release();
    await release();
    await release();
    await l.idle();
    expect(handled.map((h) => h.offsets)).to.deep.equal([[0], [1], [0, 1]]);
  });

  it('counts its depth in the size of what is queued, pausing the partition when full and resuming when taken', async function () {
    const { l, events, release } = lanes(5);
    l.offer(0, item(1, 0, 10)); // taken at once: nothing queued
    expect(events).to.deep.equal([]);
    expect(l.offer(0, item(1, 10, 3))).to.equal(true);
    expect(events).to.deep.equal([]);
    expect(l.offer(0, item(1, 13, 3))).to.equal(true); // 6 queued ≥ depth 5
    expect(events).to.deep.equal(['full 0']);
    expect(l.offer(0, item(1, 16, 1))).to.equal(false); // refused: fetched again later
    await release();
    expect(events).to.deep.equal(['full 0', 'room 0']);
    await release();
    await l.idle();
  });

  it('without a join hands every batch over as it came', async function () {
    const { l, handled, release } = lanes(100, { join: false });
    l.offer(3, item(1, 0, 1));
    l.offer(3, item(1, 1, 1));
    l.offer(3, item(1, 2, 1));
    await release();
    await release();
    await release();
    await l.idle();
    expect(handled.map((h) => h.offsets)).to.deep.equal([[0], [1], [2]]);
  });

  it('drops what a lane has queued on clear, and keeps the other lanes', async function () {
    const { l, handled, release } = lanes(100);
    l.offer(0, item(1, 0, 1));
    l.offer(0, item(1, 1, 1));
    l.offer(1, item(1, 0, 1));
    l.offer(1, item(1, 1, 1));
    l.clear(0);
    await release();
    await release();
    await release();
    await l.idle();
    expect(handled).to.deep.equal([
      { partition: 0, offsets: [0] },
      { partition: 1, offsets: [0] },
      { partition: 1, offsets: [1] },
    ]);
  });
});
