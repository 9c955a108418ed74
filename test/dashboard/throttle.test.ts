import { expect } from 'chai';
import { createRedis, ServiceUnavailableError } from '../../platform/index.js';
import { createAuthThrottle } from '../../dashboard/throttle.js';

describe('dashboard login throttle', () => {
  it('refuses a login with 503 (redis unavailable) instead of hanging while Redis is down', async () => {
    const dead = createRedis('redis://127.0.0.1:1', { lazyConnect: true });
    dead.on('error', () => undefined);
    try {
      const throttle = createAuthThrottle(dead, { prefix: 'test', timeoutMs: 300 });
      const started = Date.now();
      const thrown = await throttle.blockedFor({ user: 'u', address: '127.0.0.1' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(thrown).to.be.instanceOf(ServiceUnavailableError);
      expect(Date.now() - started).to.be.below(2_000);
    } finally {
      dead.disconnect();
    }
  });
});
