import { expect } from 'chai';
import { fulfilmentWatermark, PARTITION_SKEW_MS } from '../../streaming/pipeline/index.js';

const T = Date.UTC(2026, 10, 2, 12);
const MINUTE = 60_000;
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
});
