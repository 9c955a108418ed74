import { expect } from 'chai';
import { createLogger, createRedis, type Redis } from '../../platform/index.js';
import { MetricCache, PairState, type MasterData } from '../../streaming/pipeline/index.js';
import { TEST_REDIS_URL, uniqueSuffix } from '../support/isolation.js';

/** The stream's metric cache refresh, against a real Redis. */
describe('streaming: the metric cache refresh', function () {
  let redis: Redis;
  const prefix = `MC${uniqueSuffix().toUpperCase()}`;
  const master = { product: () => ({ leadTimeDays: 7 }) } as unknown as MasterData;
  const logger = createLogger({ level: 'silent' });
  const T0 = Date.parse('2026-06-10T12:00:00Z');

  before(function () {
    redis = createRedis(TEST_REDIS_URL);
  });

  after(async function () {
    const keys = await redis.keys(`metrics:${prefix}-*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const pair = (n: number, onHand: number) => {
    const p = new PairState(`${prefix}-SKU-${n}`, 'WH-1');
    p.onHand = onHand;
    p.maxEventTime = T0;
    return p;
  };
  const cached = async (p: PairState) => {
    const raw = await redis.get(`metrics:${p.sku}:${p.warehouseId}`);
    return raw === null ? null : (JSON.parse(raw) as { quantity_on_hand: number; source: string });
  };
  /** Waits for the writes a refresh started (they go out in one pipeline). */
  const written = () => redis.ping();

  it("writes a partition's changed pairs at its first commit, then at most once per interval", async function () {
    await redis.ping();
    const cache = new MetricCache(redis, master, logger, 60_000);
    const a = pair(1, 10);
    cache.begin(0);
    cache.committed(0, [a], T0);
    await written();
    expect(await cached(a)).to.include({ quantity_on_hand: 10, source: 'streaming' });
    expect(await redis.ttl(`metrics:${a.sku}:WH-1`)).to.be.within(3_500, 3_600);

    a.onHand = 7;
    cache.begin(0);
    cache.committed(0, [a], T0 + 1_000);
    await written();
    expect(await cached(a)).to.include({ quantity_on_hand: 10 }); // within the interval: pending
    await cache.close();
    expect(await cached(a)).to.include({ quantity_on_hand: 7 }); // written at shutdown
  });

  it('never writes the pairs a failed chunk moved, and writes the pending pairs it did not touch', async function () {
    const cache = new MetricCache(redis, master, logger, 60_000);
    const a = pair(2, 5);
    const b = pair(3, 5);
    cache.committed(1, [a, b], T0);
    await written();
    b.onHand = 4;
    cache.committed(1, [b], T0 + 1_000); // pending
    cache.begin(1);
    a.onHand = 99; // moved by a chunk that then fails: ahead of what committed
    cache.failed(1, [a]);
    await written();
    expect(await cached(a)).to.include({ quantity_on_hand: 5 });
    expect(await cached(b)).to.include({ quantity_on_hand: 4 });
    await cache.close();
    expect(await cached(a)).to.include({ quantity_on_hand: 5 });
  });

  it('keeps each partition to its own interval', async function () {
    const cache = new MetricCache(redis, master, logger, 60_000);
    const a = pair(4, 1);
    const b = pair(5, 1);
    cache.committed(2, [a], T0);
    cache.committed(3, [b], T0 + 1_000); // another partition: its first refresh, at once
    await written();
    expect(await cached(a)).to.include({ quantity_on_hand: 1 });
    expect(await cached(b)).to.include({ quantity_on_hand: 1 });
    await cache.close();
  });
});
