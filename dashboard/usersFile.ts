import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, type Logger } from '../platform/index.js';
import { isPasswordHash } from './passwords.js';

export const ROLES = ['viewer', 'operator'] as const;
/** `viewer` reads; `operator` reads, mutates and opens Bull Board. */
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);

/** Letters, digits and `. _ @ -`, at most 64: never a `:`, the file's separator. */
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;
export const isUserName = (value: string): boolean => NAME.test(value);

export interface StoredUser {
  role: Role;
  /** `scrypt$…`, see passwords.ts. */
  hash: string;
}

/**
 * Parses a users file: one `name:role:scrypt$…` line per user; blank lines and lines starting
 * with `#` are ignored. Throws an InvalidInputError naming the file and line of the first bad one.
 */
export function parseUsers(text: string, file: string): Map<string, StoredUser> {
  const users = new Map<string, StoredUser>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const bad = (why: string) => new InvalidInputError(`${file} line ${index + 1}: ${why}`);
    const [name = '', role = '', hash = '', ...rest] = line.split(':');
    if (rest.length > 0 || hash === '') throw bad('expected name:role:scrypt$…');
    if (!isUserName(name)) throw bad(`bad user name '${name.slice(0, 80)}'`);
    if (!isRole(role)) throw bad(`role must be ${ROLES.join(' or ')} (got '${role.slice(0, 40)}')`);
    if (!isPasswordHash(hash)) throw bad('the password is not a scrypt$N=…,r=…,p=…$salt$key hash');
    if (users.has(name)) throw bad(`user '${name}' appears twice`);
    users.set(name, { role, hash });
  });
  return users;
}

export function formatUsers(users: ReadonlyMap<string, StoredUser>): string {
  const lines = [...users].map(([name, u]) => `${name}:${u.role}:${u.hash}`);
  return `# wareflow dashboard users (name:role:scrypt hash); edit with \`wareflow users\`\n${lines.join('\n')}\n`;
}

/** The users of `file`; a file that does not exist yet has none. */
export async function readUsers(file: string): Promise<Map<string, StoredUser>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return new Map();
    throw err;
  }
  return parseUsers(text, file);
}

/**
 * Replaces `file` atomically (a reader sees the old or the new file, never half of one), readable
 * by its owner only: it holds password hashes.
 */
export async function writeUsers(file: string, users: ReadonlyMap<string, StoredUser>): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, formatUsers(users), { mode: 0o600, flag: 'wx' });
  await rename(temp, file);
}

/** The users file as the dashboard sees it: loaded at start, re-read when it changes. */
export interface UserDirectory {
  lookup(name: string): Promise<StoredUser | undefined>;
}

/**
 * Reads `file` now (a missing or malformed file throws, so a typo stops the dashboard at start),
 * then at most once a second checks whether it changed, so `wareflow users add|remove` takes
 * effect without a restart. A file that became malformed keeps the last good users (and logs
 * why); a file that was deleted has no users.
 */
export function openUserDirectory(file: string, logger: Logger, recheckMs = 1_000): UserDirectory {
  const version = (s: { mtimeMs: number; size: number; ino: number }) => `${s.mtimeMs}:${s.size}:${s.ino}`;
  let users = parseUsers(readFileSync(file, 'utf8'), file);
  let loaded = version(statSync(file));
  let checkedAt = Date.now();
  let refreshing: Promise<void> | undefined;

  const refresh = async () => {
    let current: string;
    try {
      current = version(await stat(file));
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err;
      if (users.size > 0) logger.warn({ file }, 'users file removed: no user can log in from it');
      users = new Map();
      loaded = 'missing';
      return;
    }
    if (current === loaded) return;
    try {
      users = parseUsers(await readFile(file, 'utf8'), file);
      logger.info({ file, users: users.size }, 'users file reloaded');
    } catch (err) {
      logger.error({ file, err }, 'users file is malformed: keeping the users read before');
    }
    loaded = current;
  };

  return {
    async lookup(name) {
      if (Date.now() - checkedAt >= recheckMs) {
        checkedAt = Date.now();
        refreshing ??= refresh().finally(() => (refreshing = undefined));
      }
      if (refreshing) await refreshing.catch(() => undefined);
      return users.get(name);
    },
  };
}
