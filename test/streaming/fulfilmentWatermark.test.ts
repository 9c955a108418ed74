import { expect } from 'chai';
import { fulfilmentWatermark, isCaughtUp, PARTITION_SKEW_MS } from '../../streaming/pipeline/index.js';

const T = Date.UTC(2026, 10, 2, 12);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const topic = (newest: number | null, lagging: number | null = null, partitions = 6) => ({
  partitions: newest === null ? 0 : partitions,
  newest,
  lagging,
});

/**
 * The fulfilment watermark (streaming/pipeline/fulfilmentWatermark.ts): the event time up to
 * which the order and shipment topics are both applied, less the skew their partitions may have.
 */
describe('fulfilment watermark', function () {
  it('is the older of the two topics’ newest applied event times, less the partition skew', function () {
    expect(fulfilmentWatermark([topic(T), topic(T - 40 * MINUTE)])).to.equal(
      T - 40 * MINUTE - PARTITION_SKEW_MS,
    );
    expect(fulfilmentWatermark([topic(T - 3 * MINUTE), topic(T)])).to.equal(
      T - 3 * MINUTE - PARTITION_SKEW_MS,
    );
  });

  it('waits for a partition that was still behind at its last chunk, however far the others are', function () {
    const catchingUp = topic(T, T - 6 * 60 * MINUTE);
    expect(fulfilmentWatermark([topic(T), catchingUp])).to.equal(T - 6 * 60 * MINUTE - PARTITION_SKEW_MS);
  });

  it('knows nothing while a topic has applied nothing', function () {
    expect(fulfilmentWatermark([topic(T), topic(null)])).to.equal(null);
    expect(fulfilmentWatermark([topic(null), topic(T)])).to.equal(null);
  });

  it('waits as well for an order partition catching up, whose cancellations are not applied yet', function () {
    const orders = topic(T, T - 90 * MINUTE);
    expect(fulfilmentWatermark([orders, topic(T)])).to.equal(T - 90 * MINUTE - PARTITION_SKEW_MS);
  });

  it('counts a quiet topic known complete to a later time (caught up) as applied to that time', function () {
    const quietOrders = topic(T - 3 * 60 * MINUTE);
    expect(fulfilmentWatermark([quietOrders, topic(T)], [T, null])).to.equal(T - PARTITION_SKEW_MS);
    // Known complete to an earlier time than its own newest event: its own time counts.
    expect(fulfilmentWatermark([topic(T), topic(T)], [T - HOUR, null])).to.equal(T - PARTITION_SKEW_MS);
    // A topic that applied nothing, but holds nothing either, is known from its probe alone.
    expect(fulfilmentWatermark([topic(null), topic(T)], [T, null])).to.equal(T - PARTITION_SKEW_MS);
  });

  it('still waits for a partition that was behind at its last chunk, whatever a probe said', function () {
    expect(fulfilmentWatermark([topic(T - HOUR, T - 2 * HOUR), topic(T)], [T, null])).to.equal(
      T - 2 * HOUR - PARTITION_SKEW_MS,
    );
  });
});

describe('caught up: a consumer group has applied all the broker holds of a topic', function () {
  const ends = (...highs: number[]) =>
    highs.map((high, partition) => ({ partition, low: '0', high: String(high) }));
  /** Stored next offsets of partitions 0, 1, …: as loadNextOffsets returns them. */
  const stored = (...next: number[]) => new Map(next.map((n, partition) => [partition, BigInt(n)]));

  it('is so when every partition’s stored next offset is at its end', function () {
    expect(isCaughtUp(ends(10, 4), stored(10, 4))).to.equal(true);
  });

  it('is not so while one partition holds a message beyond its stored offset', function () {
    expect(isCaughtUp(ends(10, 5), stored(10, 4))).to.equal(false);
  });

  it('counts a partition never applied from its first retained offset: caught up only when it holds nothing', function () {
    expect(isCaughtUp(ends(10, 0), stored(10))).to.equal(true);
    expect(isCaughtUp(ends(10, 3), stored(10))).to.equal(false);
    expect(isCaughtUp([{ partition: 0, low: '7', high: '7' }], new Map())).to.equal(true);
  });
});
