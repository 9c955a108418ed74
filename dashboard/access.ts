import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, createLogger, type Config, type Logger } from '../platform/index.js';
import { cachedVerifier, decoyHash } from './passwords.js';
import { openUserDirectory, type Role, type UserDirectory } from './usersFile.js';

/** Who may read and who may change things, decided once from the configuration. */
export interface AccessPolicy {
  /** Every mutation (trigger, clear, mark, pause, backfill, Bull Board actions) is refused. */
  readOnly: boolean;
  /** Pages and `/api` reads are open to anonymous visitors (DASHBOARD_PUBLIC_READ=true). */
  publicRead: boolean;
  /** A login form exists (DASHBOARD_USER/DASHBOARD_PASSWORD or DASHBOARD_USERS_FILE is set). */
  hasLogin: boolean;
  /** Any credential is configured. */
  hasCredentials: boolean;
  /** The role of `user` when `password` is theirs; undefined otherwise. */
  checkPassword(user: string, password: string): Promise<Role | undefined>;
  /** DASHBOARD_TOKEN, an operator's. */
  checkToken(token: string): boolean;
  /** The current role of a user who logged in earlier (a session); undefined once removed. */
  roleOf(user: string): Promise<Role | undefined>;
}

type AccessConfig = Pick<
  Config,
  | 'DASHBOARD_USER'
  | 'DASHBOARD_PASSWORD'
  | 'DASHBOARD_USERS_FILE'
  | 'DASHBOARD_TOKEN'
  | 'DASHBOARD_READONLY'
  | 'DASHBOARD_PUBLIC_READ'
>;

/**
 * Builds the access policy and refuses a dashboard that would let anyone in by accident:
 * with mutations enabled, or with reads not public, some credential must be set. The users file
 * is read now, so a missing or malformed one stops the dashboard before it listens.
 */
export function accessPolicy(config: AccessConfig, logger?: Logger): AccessPolicy {
  const envUser = config.DASHBOARD_USER;
  const envPassword = config.DASHBOARD_PASSWORD;
  const hasEnvLogin = envUser !== undefined && envPassword !== undefined;
  const hasToken = config.DASHBOARD_TOKEN !== undefined;
  const directory = openDirectory(config.DASHBOARD_USERS_FILE, logger);
  const hasLogin = hasEnvLogin || directory !== undefined;
  const hasCredentials = hasLogin || hasToken;
  const verify = cachedVerifier();
  const setOne = 'set DASHBOARD_USER and DASHBOARD_PASSWORD, DASHBOARD_USERS_FILE or DASHBOARD_TOKEN';
  if (!config.DASHBOARD_READONLY && !hasCredentials) {
    throw new ConfigError(
      'DASHBOARD_USER',
      `the dashboard allows mutations (trigger, clear, pause, backfill) but no credentials are set: ${setOne}, or DASHBOARD_READONLY=true`,
    );
  }
  if (!config.DASHBOARD_PUBLIC_READ && !hasCredentials) {
    throw new ConfigError(
      'DASHBOARD_PUBLIC_READ',
      `reads need a login but no credentials are set: ${setOne}, or DASHBOARD_PUBLIC_READ=true to open reads to anyone`,
    );
  }
  return {
    readOnly: config.DASHBOARD_READONLY,
    publicRead: config.DASHBOARD_PUBLIC_READ,
    hasLogin,
    hasCredentials,
    async checkPassword(user, password) {
      // The configured operator first; both fields are compared, always, so the time taken does
      // not tell which one was wrong.
      if (hasEnvLogin && safeEqual(user, envUser))
        return safeEqual(password, envPassword) ? 'operator' : undefined;
      const stored = await directory?.lookup(user);
      // An unknown user costs one scrypt too, so timing does not tell which names exist.
      const ok = await verify(user, password, stored?.hash ?? (await decoyHash()));
      return ok && stored ? stored.role : undefined;
    },
    checkToken: (token) => hasToken && safeEqual(token, config.DASHBOARD_TOKEN!),
    async roleOf(user) {
      if (hasEnvLogin && user === envUser) return 'operator';
      return (await directory?.lookup(user))?.role;
    },
  };
}

function openDirectory(file: string | undefined, logger: Logger | undefined): UserDirectory | undefined {
  if (file === undefined) return undefined;
  try {
    return openUserDirectory(file, logger ?? createLogger({ level: 'silent' }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? `${file} does not exist: create it with \`wareflow users add NAME --role viewer|operator\``
        : (err as Error).message;
    throw new ConfigError('DASHBOARD_USERS_FILE', why);
  }
}

/** Constant-time comparison of two strings of any lengths (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
