import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes of the users file: `scrypt$N=32768,r=8,p=1$<salt>$<key>`, salt (16 bytes) and
 * key (32 bytes) in base64url. The parameters travel with each hash, so raising them later only
 * changes new hashes; old ones still verify. The string never contains `:`, the users file's
 * field separator.
 */
const DEFAULTS = { N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PATTERN = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

function derive(password: string, salt: Buffer, length: number, params: ScryptOptions): Promise<Buffer> {
  // 128·N·r bytes of memory; the default cap (32 MiB) is exactly N=32768, r=8, so leave room.
  const maxmem = 256 * params.N! * params.r! + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, { ...params, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** A new hash of `password` with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, DEFAULTS);
  const { N, r, p } = DEFAULTS;
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `hash` is a well-formed hash this module can verify (with sane parameters). */
export function isPasswordHash(hash: string): boolean {
  const m = PATTERN.exec(hash);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // N a power of two; bounds keep a hostile or mistyped file from costing gigabytes per login.
  return N >= 1024 && N <= 1_048_576 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16;
}

/** Checks `password` against `hash` in constant time (false for a malformed hash). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isPasswordHash(hash)) return false;
  const [, N, r, p, salt, key] = PATTERN.exec(hash)!;
  const expected = Buffer.from(key!, 'base64url');
  const actual = await derive(password, Buffer.from(salt!, 'base64url'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/**
 * A hash no password matches in practice, verified for unknown users so that a wrong name takes
 * as long as a wrong password (made once, lazily).
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('base64url'));
  return decoy;
}

/**
 * `verifyPassword` with a memory of recent successes: an API client sending Basic credentials on
 * every request would otherwise pay a full scrypt (~100 ms of CPU) each time. Only successes are
 * kept, keyed by a digest of user, hash and password, so a guess is never cheaper, and a changed
 * hash (new password) misses the cache. Entries live `ttlMs`; at most `max` are kept.
 */
export function cachedVerifier(
  options: { ttlMs?: number; max?: number } = {},
): (user: string, password: string, hash: string) => Promise<boolean> {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.max ?? 1_000;
  const recent = new Map<string, number>();
  return async (user, password, hash) => {
    const key = createHash('sha256').update(`${user}\0${hash}\0${password}`).digest('base64url');
    const until = recent.get(key);
    if (until !== undefined && until > Date.now()) return true;
    recent.delete(key);
    const ok = await verifyPassword(password, hash);
    if (ok) {
      // A Map iterates in insertion order: the first key is the oldest.
      if (recent.size >= max) recent.delete(recent.keys().next().value!);
      recent.set(key, Date.now() + ttl);
    }
    return ok;
  };
}
