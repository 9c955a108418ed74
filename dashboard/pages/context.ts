import type { Request, Response } from 'express';
import type { AccessPolicy } from '../access.js';
import { principalOf } from '../auth.js';
import type { PageContext } from '../views/layout.js';

/** The viewer as the page templates see them. */
export function pageContext(req: Request, res: Response, policy: AccessPolicy): PageContext {
  const principal = principalOf(res);
  const flash = typeof req.query.flash === 'string' ? req.query.flash.slice(0, 300) : undefined;
  return {
    ...(principal ? { user: principal.user } : {}),
    ...(principal?.via === 'session' ? { csrf: principal.session.csrf } : {}),
    ...(principal ? { role: principal.role } : {}),
    // Viewers see no mutation buttons: the server would refuse them anyway (403).
    canMutate: !policy.readOnly && principal?.role === 'operator',
    readOnly: policy.readOnly,
    hasLogin: policy.hasLogin,
    path: req.originalUrl.split('?')[0] ?? '/',
    ...(flash ? { flash } : {}),
  };
}

/** Redirects (303, so the browser follows with GET) to `path` with a one-line message. */
export function redirectWithFlash(res: Response, path: string, message: string): void {
  // The query goes before a fragment: after it, the browser would keep it out of the request.
  const hash = path.indexOf('#');
  const [base, fragment] = hash < 0 ? [path, ''] : [path.slice(0, hash), path.slice(hash)];
  const sep = base.includes('?') ? '&' : '?';
  res.redirect(303, `${base}${sep}flash=${encodeURIComponent(message)}${fragment}`);
}
