import { Redis } from 'ioredis';

export { Redis };

/**
 * A Redis connection suitable for BullMQ (which requires `maxRetriesPerRequest: null` on
 * connections used by workers) and for plain commands. Close it with `quit()`.
 */
export function createRedis(redisUrl: string, options: { lazyConnect?: boolean } = {}): Redis {
  return new Redis(redisUrl, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: options.lazyConnect ?? false,
  });
}
