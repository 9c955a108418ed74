import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessPolicy } from './access.js';
import { safeEqual } from './access.js';
import type { Authenticator, AuthOutcome } from './authenticate.js';
import { HttpError } from './errors.js';
import { parseCookies, type Session, type SessionStore } from './sessions.js';
import type { Role } from './usersFile.js';

export const SESSION_COOKIE = 'wareflow_session';

/** Who made a request, if anyone, and what they may do. Set on `res.locals.principal` by `identify`. */
export type Principal =
  | { user: string; role: Role; via: 'session'; session: Session; sessionId: string }
  | { user: string; role: Role; via: 'basic' }
  | { user: string; role: 'operator'; via: 'token' };

export function principalOf(res: Response): Principal | undefined {
  return res.locals.principal as Principal | undefined;
}

/** The client address every login is counted and logged under. */
export const clientAddress = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * Reads credentials from the request: `Authorization: Bearer <DASHBOARD_TOKEN>`, `Authorization:
 * Basic` (DASHBOARD_USER or a user of DASHBOARD_USERS_FILE), or the session cookie of the login
 * form. Wrong credentials in a header are a 401 at once (a client sending them wants to know), too
 * many of them a 429; a stale cookie, or one of a user since removed, is simply ignored.
 */
export function identify(
  policy: AccessPolicy,
  sessions: SessionStore,
  authenticator: Authenticator,
): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (header) {
      const [scheme, value = ''] = header.split(/\s+/, 2);
      let outcome: AuthOutcome;
      if (scheme?.toLowerCase() === 'bearer') {
        outcome = await authenticator.token(value, clientAddress(req));
      } else if (scheme?.toLowerCase() === 'basic') {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const user = colon < 0 ? decoded : decoded.slice(0, colon);
        const password = colon < 0 ? '' : decoded.slice(colon + 1);
        outcome = await authenticator.password('basic', user, password, clientAddress(req));
      } else {
        return next(new HttpError(401, `unsupported authorization scheme '${scheme}'`));
      }
      if (!outcome.ok) return next(refusal(res, outcome));
      res.locals.principal = (
        scheme.toLowerCase() === 'bearer'
          ? { user: outcome.user, role: 'operator', via: 'token' }
          : { user: outcome.user, role: outcome.role, via: 'basic' }
      ) satisfies Principal;
      return next();
    }
    const sessionId = parseCookies(req.get('cookie')).get(SESSION_COOKIE);
    if (sessionId) {
      const session = await sessions.get(sessionId);
      const role = session ? await policy.roleOf(session.user) : undefined;
      if (session && role)
        res.locals.principal = { user: session.user, role, via: 'session', session, sessionId };
    }
    next();
  };
}

/** The error of a refused login; a 429 carries `Retry-After` (seconds). */
export function refusal(res: Response, outcome: Exclude<AuthOutcome, { ok: true }>): HttpError {
  if (outcome.status === 429) res.set('Retry-After', String(outcome.retryAfterSeconds));
  return new HttpError(outcome.status, outcome.message);
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
    if (principal.role !== 'operator') return next(viewerRefused(principal.user));
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

/**
 * Every read (pages and `/api`) needs a login unless DASHBOARD_PUBLIC_READ=true; the login form
 * and logout stay open. Mounted after /health, /metrics, /static (open) and Bull Board (operators
 * only), so it decides for pages and `/api` alone.
 */
export function requireReader(policy: AccessPolicy): RequestHandler {
  const open = new Set(['/login', '/logout']);
  return (req, res, next) => {
    if (policy.publicRead || principalOf(res) || open.has(req.path)) return next();
    const api = req.path === '/api' || req.path.startsWith('/api/');
    // A page read goes to the login form when a browser asks (HTML), a form post always does.
    refuseAnonymous(
      req,
      res,
      next,
      api ? 'api' : req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'page',
    );
  };
}

/** Bull Board is Redis access (every queued job's data): operators only, even to look. */
export function requireOperator(): RequestHandler {
  return (req, res, next) => {
    const principal = principalOf(res);
    if (!principal) return refuseAnonymous(req, res, next, 'board');
    if (principal.role !== 'operator') return next(viewerRefused(principal.user));
    next();
  };
}

function viewerRefused(user: string): HttpError {
  return new HttpError(403, `${user} is a viewer: only an operator may do this`);
}

function refuseAnonymous(req: Request, res: Response, next: NextFunction, kind: MutationKind | 'read'): void {
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
      'credentials required: log in, or send Basic (a dashboard user) or Bearer (DASHBOARD_TOKEN) credentials',
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

/**
 * `/metrics` with METRICS_TOKEN set: only `Authorization: Bearer <METRICS_TOKEN>` (what Prometheus'
 * `authorization` scrape option sends). Unset, /metrics stays open: it carries no business data.
 */
export function requireMetricsToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token === undefined) return next();
    const [scheme, value = ''] = (req.get('authorization') ?? '').split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer' && safeEqual(value, token)) return next();
    res.set('WWW-Authenticate', 'Bearer realm="wareflow metrics"');
    res.status(401).type('text/plain').send('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
  };
}
