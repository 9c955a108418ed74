import type { Logger } from '../platform/index.js';
import type { AccessPolicy } from './access.js';
import type { AuthThrottle } from './throttle.js';
import type { Role } from './usersFile.js';

export type AuthMethod = 'form' | 'basic' | 'bearer';

export type AuthOutcome =
  | { ok: true; user: string; role: Role }
  | { ok: false; status: 401; message: string }
  | { ok: false; status: 429; message: string; retryAfterSeconds: number };

/** Every way to log in goes through here: one throttle, one log event per attempt. */
export interface Authenticator {
  password(method: 'form' | 'basic', user: string, password: string, address: string): Promise<AuthOutcome>;
  token(token: string, address: string): Promise<AuthOutcome>;
}

/** The user name logged and counted for a bearer token, which names no user. */
export const TOKEN_USER = 'token';

export function createAuthenticator(
  policy: AccessPolicy,
  throttle: AuthThrottle,
  logger: Logger,
): Authenticator {
  const attempt = async (
    method: AuthMethod,
    user: string,
    address: string,
    verify: () => Promise<Role | undefined>,
  ): Promise<AuthOutcome> => {
    // A token names no user: counting failures against one shared name would let anyone lock
    // every API client out, so bearer attempts count per address only.
    const key = { address, ...(method === 'bearer' ? {} : { user }) };
    // Names are logged as sent, cut short: a client may send anything.
    const event = { event: 'login', user: user.slice(0, 100), method, address };
    const wait = await throttle.blockedFor(key);
    if (wait !== undefined) {
      logger.warn(
        { ...event, outcome: 'throttled', retry_after_s: wait },
        'login refused: too many failures',
      );
      return {
        ok: false,
        status: 429,
        retryAfterSeconds: wait,
        message: `too many failed logins for this user or from this address: try again in ${describeWait(wait)}`,
      };
    }
    const role = await verify();
    if (role === undefined) {
      await throttle.failed(key);
      logger.warn({ ...event, outcome: 'failure' }, 'login failed');
      return {
        ok: false,
        status: 401,
        message: method === 'bearer' ? 'invalid bearer token' : 'invalid user or password',
      };
    }
    await throttle.succeeded(key);
    logger.info({ ...event, outcome: 'success', role }, 'login');
    return { ok: true, user, role };
  };
  return {
    password: (method, user, password, address) =>
      attempt(method, user, address, () => policy.checkPassword(user, password)),
    token: (token, address) =>
      attempt('bearer', TOKEN_USER, address, async () => (policy.checkToken(token) ? 'operator' : undefined)),
  };
}

function describeWait(seconds: number): string {
  return seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} minutes`;
}
