import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from '../platform/index.js';

/** A logged-in browser. */
export interface Session {
  user: string;
  /** Synchronizer token every form and fetch of this session must send back. */
  csrf: string;
  createdAt: string;
}

/**
 * Sessions live in Redis, not in the process, so any dashboard instance behind a load balancer
 * accepts a session another one created, and logging out ends it everywhere. Redis keys hold a
 * hash of the session id, so reading Redis does not yield a usable cookie.
 */
export interface SessionStore {
  create(user: string): Promise<{ id: string; session: Session }>;
  get(id: string): Promise<Session | undefined>;
  destroy(id: string): Promise<void>;
}

export interface SessionStoreOptions {
  /** Redis key prefix, usually QUEUE_PREFIX. */
  prefix: string;
  /** Session lifetime. @defaultValue 43200 (12 hours) */
  ttlSeconds?: number;
}

export function createSessionStore(redis: Redis, options: SessionStoreOptions): SessionStore {
  const ttl = options.ttlSeconds ?? 43_200;
  const key = (id: string) =>
    `${options.prefix}:dashboard:session:${createHash('sha256').update(id).digest('hex')}`;

  return {
    async create(user) {
      const id = randomBytes(32).toString('base64url');
      const session: Session = {
        user,
        csrf: randomBytes(24).toString('base64url'),
        createdAt: new Date().toISOString(),
      };
      await redis.set(key(id), JSON.stringify(session), 'EX', ttl);
      return { id, session };
    },
    async get(id) {
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(id)) return undefined;
      const value = await redis.get(key(id));
      if (value === null) return undefined;
      try {
        return JSON.parse(value) as Session;
      } catch {
        return undefined;
      }
    },
    async destroy(id) {
      await redis.del(key(id));
    },
  };
}

/** The cookies of a request, by name (first one wins, as browsers send the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A cookie that is not valid percent-encoding is ignored, not an error.
    }
  }
  return out;
}

/** A Set-Cookie value: HttpOnly and SameSite=Strict always, Secure when served over HTTPS. */
export function serializeCookie(
  name: string,
  value: string,
  options: { maxAgeSeconds?: number; secure: boolean },
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
