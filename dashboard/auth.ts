import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessPolicy } from './access.js';
import { safeEqual } from './access.js';
import { HttpError } from './errors.js';
import { parseCookies, type Session, type SessionStore } from './sessions.js';

export const SESSION_COOKIE = 'wareflow_session';

/** Who made a request, if anyone. Set on `res.locals.principal` by `identify`. */
export type Principal =
  | { user: string; via: 'session'; session: Session; sessionId: string }
  | { user: string; via: 'basic' }
  | { user: 'token'; via: 'token' };

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/**
 * Reads credentials from the request: `Authorization: Bearer <DASHBOARD_TOKEN>`, `Authorization:
 * Basic` with DASHBOARD_USER/DASHBOARD_PASSWORD, or the session cookie of the login form. Wrong
 * credentials in a header are a 401 at once (a client sending them wants to know); a stale
 * cookie is simply ignored.
 */
export function identify(policy: AccessPolicy, sessions: SessionStore): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header) {
      const [scheme, value = ''] = header.split(/\s+/, 2);
      if (scheme?.toLowerCase() === 'bearer') {
        if (!policy.checkToken(value)) return next(unauthorized('invalid bearer token'));
        res.locals.principal = { user: 'token', via: 'token' } satisfies Principal;
        return next();
      }
      if (scheme?.toLowerCase() === 'basic') {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const user = colon < 0 ? decoded : decoded.slice(0, colon);
        const password = colon < 0 ? '' : decoded.slice(colon + 1);
        if (!policy.checkPassword(user, password)) return next(unauthorized('invalid user or password'));
        res.locals.principal = { user, via: 'basic' } satisfies Principal;
        return next();
      }
      return next(unauthorized(`unsupported authorization scheme '${scheme}'`));
    }
    const sessionId = parseCookies(req.get('cookie')).get(SESSION_COOKIE);
    if (sessionId) {
      const session = await sessions.get(sessionId);
      if (session) res.locals.principal = { user: session.user, via: 'session', session, sessionId };
    }
    next();
  };
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, message);
}

/** A request that a browser may have sent on behalf of another site. */
function isCrossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    try {
      return new URL(origin).host !== req.get('host');
    } catch {
      return true;
    }
  }
  return origin === 'null';
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export type MutationKind = 'api' | 'page' | 'board';

/**
 * Guards every mutation. Order matters: read-only first (nothing else can make it allowed), then
 * cross-site requests, then credentials, then CSRF:
 * - session (browser): the synchronizer token (form field `_csrf` or header `X-CSRF-Token`) must
 *   match the session's; Bull Board's own UI cannot send it, so its actions rely on the session
 *   cookie being SameSite=Strict plus the same-origin check above;
 * - Basic: browsers replay cached Basic credentials on their own, so a form-encodable body (what a
 *   hostile page can post without CORS) is refused;
 * - Bearer: never sent by a browser on its own, nothing more to check.
 */
export function requireMutation(policy: AccessPolicy, kind: MutationKind): RequestHandler {
  return (req, res, next) => {
    if (policy.readOnly)
      return next(new HttpError(403, 'the dashboard is read-only (DASHBOARD_READONLY=true)'));
    if (isCrossSite(req)) return next(new HttpError(403, 'cross-site request refused'));
    const principal = principalOf(res);
    if (!principal) return refuseAnonymous(req, res, next, kind);
    if (principal.via === 'session' && kind !== 'board') {
      const sent = (req.get('x-csrf-token') ??
        (req.body as { _csrf?: unknown } | undefined)?._csrf) as unknown;
      if (typeof sent !== 'string' || !safeEqual(sent, principal.session.csrf))
        return next(new HttpError(403, 'missing or invalid CSRF token; reload the page and try again'));
    }
    if (principal.via === 'basic') {
      const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (FORM_TYPES.includes(type))
        return next(new HttpError(415, 'send JSON (Content-Type: application/json) with Basic credentials'));
    }
    next();
  };
}

/** Bull Board is Redis access: behind the same credentials whenever any are configured. */
export function requireViewer(policy: AccessPolicy): RequestHandler {
  return (req, res, next) => {
    if (!policy.hasCredentials || principalOf(res)) return next();
    refuseAnonymous(req, res, next, 'board');
  };
}

function refuseAnonymous(req: Request, res: Response, next: NextFunction, kind: MutationKind): void {
  const wantsPage = kind !== 'api' && req.method === 'GET' && req.accepts(['json', 'html']) === 'html';
  if (kind === 'page' || wantsPage) {
    // After a login the browser comes back to the page it was on (a GET), never replays a POST.
    const back = req.method === 'GET' ? req.originalUrl : (req.get('referer') ?? '/');
    res.redirect(303, `/login?next=${encodeURIComponent(localPath(back))}`);
    return;
  }
  res.set('WWW-Authenticate', 'Basic realm="wareflow", charset="UTF-8"');
  next(
    new HttpError(
      401,
      'credentials required: log in, or send Basic (DASHBOARD_USER) or Bearer (DASHBOARD_TOKEN) credentials',
    ),
  );
}

/** A same-site path to return to; anything else (absolute URLs, `//host`) becomes `/`. */
export function localPath(target: unknown): string {
  if (typeof target !== 'string') return '/';
  let path = target;
  try {
    const u = new URL(target, 'http://local.invalid');
    if (u.host !== 'local.invalid') return '/';
    path = u.pathname + u.search;
  } catch {
    return '/';
  }
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}
