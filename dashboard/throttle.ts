import { createHash } from 'node:crypto';
import { ServiceUnavailableError, type Redis } from '../platform/index.js';

/** Who is trying to log in: the claimed user (none for a bearer token) and the client address. */
export interface AuthAttempt {
  user?: string;
  address: string;
}

/**
 * One limiter for every way to authenticate (login form, Basic, Bearer): failures are counted per
 * claimed user (10 in 15 minutes) and per client address (30), in Redis so that every dashboard instance shares them.
 * Once either count reaches the limit within the window, every attempt on that user or from that
 * address is refused, the right password included, until the window of the first failure ends.
 * A success clears the user's count (not the address's: one valid account must not let an
 * address keep guessing at others).
 */
export interface AuthThrottle {
  /** Seconds until `attempt` may be tried again, or undefined when it may be tried now. */
  blockedFor(attempt: AuthAttempt): Promise<number | undefined>;
  failed(attempt: AuthAttempt): Promise<void>;
  succeeded(attempt: AuthAttempt): Promise<void>;
}

export interface AuthThrottleOptions {
  /** Redis key prefix, usually QUEUE_PREFIX. */
  prefix: string;
  /** Failures allowed per claimed user within the window. @defaultValue 10 */
  maxFailuresPerUser?: number;
  /**
   * Failures allowed per client address within the window: higher than per user, because many
   * people may share one address (an office behind NAT, a proxy), and one of them mistyping must
   * not lock the others out; still low enough to stop guessing across many user names.
   * @defaultValue 30
   */
  maxFailuresPerAddress?: number;
  /** @defaultValue 900 (15 minutes) */
  windowSeconds?: number;
  /**
   * How long to wait for Redis before refusing the login with 503: a Redis that is down queues
   * commands until it returns, and a login must not hang that long. @defaultValue 2000
   */
  timeoutMs?: number;
}

export function createAuthThrottle(redis: Redis, options: AuthThrottleOptions): AuthThrottle {
  const throttle = unboundedThrottle(redis, options);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const bounded = async <T>(work: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ServiceUnavailableError('redis', 'the login throttle did not answer in time')),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    blockedFor: (attempt) => bounded(throttle.blockedFor(attempt)),
    failed: (attempt) => bounded(throttle.failed(attempt)),
    succeeded: (attempt) => bounded(throttle.succeeded(attempt)),
  };
}

function unboundedThrottle(redis: Redis, options: AuthThrottleOptions): AuthThrottle {
  const perUser = options.maxFailuresPerUser ?? 10;
  const perAddress = options.maxFailuresPerAddress ?? 30;
  const window = options.windowSeconds ?? 900;
  // Hashed: a claimed user name or address is whatever the client sent, of any length.
  const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
  const keys = (attempt: AuthAttempt): Array<[key: string, max: number]> => [
    [`${options.prefix}:dashboard:auth-failures:address:${digest(attempt.address)}`, perAddress],
    ...(attempt.user === undefined ? [] : [[userKey(attempt.user), perUser] as [string, number]]),
  ];
  const userKey = (user: string) => `${options.prefix}:dashboard:auth-failures:user:${digest(user)}`;

  return {
    async blockedFor(attempt) {
      let wait: number | undefined;
      for (const [key, max] of keys(attempt)) {
        const [[, count], [, ttl]] = (await redis.multi().get(key).ttl(key).exec()) as [
          [unknown, string | null],
          [unknown, number],
        ];
        if (Number(count ?? 0) >= max) wait = Math.max(wait ?? 1, ttl > 0 ? ttl : 1);
      }
      return wait;
    },
    async failed(attempt) {
      const multi = redis.multi();
      for (const [key] of keys(attempt)) multi.incr(key).expire(key, window, 'NX');
      await multi.exec();
    },
    async succeeded(attempt) {
      if (attempt.user !== undefined) await redis.del(userKey(attempt.user));
    },
  };
}
