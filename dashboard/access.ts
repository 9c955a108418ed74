import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, type Config } from '../platform/index.js';

/** Who may change things, decided once from the configuration. */
export interface AccessPolicy {
  /** Every mutation (trigger, clear, mark, pause, backfill, Bull Board actions) is refused. */
  readOnly: boolean;
  /** A login form exists (DASHBOARD_USER and DASHBOARD_PASSWORD are set). */
  hasLogin: boolean;
  /** Any credential is configured; reads of Bull Board are gated behind them when so. */
  hasCredentials: boolean;
  checkPassword(user: string, password: string): boolean;
  checkToken(token: string): boolean;
}

/**
 * Builds the access policy and refuses a dashboard that would let anyone mutate: with mutations
 * enabled, DASHBOARD_USER/DASHBOARD_PASSWORD or DASHBOARD_TOKEN must be set.
 */
export function accessPolicy(
  config: Pick<Config, 'DASHBOARD_USER' | 'DASHBOARD_PASSWORD' | 'DASHBOARD_TOKEN' | 'DASHBOARD_READONLY'>,
): AccessPolicy {
  const hasLogin = config.DASHBOARD_USER !== undefined && config.DASHBOARD_PASSWORD !== undefined;
  const hasToken = config.DASHBOARD_TOKEN !== undefined;
  if (!config.DASHBOARD_READONLY && !hasLogin && !hasToken) {
    throw new ConfigError(
      'DASHBOARD_USER',
      'the dashboard allows mutations (trigger, clear, pause, backfill) but no credentials are set: ' +
        'set DASHBOARD_USER and DASHBOARD_PASSWORD (or DASHBOARD_TOKEN), or DASHBOARD_READONLY=true',
    );
  }
  return {
    readOnly: config.DASHBOARD_READONLY,
    hasLogin,
    hasCredentials: hasLogin || hasToken,
    checkPassword: (user, password) => {
      if (!hasLogin) return false;
      // Both are compared, always, so the time taken does not tell which one was wrong.
      const userOk = safeEqual(user, config.DASHBOARD_USER!);
      const passwordOk = safeEqual(password, config.DASHBOARD_PASSWORD!);
      return userOk && passwordOk;
    },
    checkToken: (token) => hasToken && safeEqual(token, config.DASHBOARD_TOKEN!),
  };
}

/** Constant-time comparison of two strings of any lengths (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
