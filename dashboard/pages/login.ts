import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { safeEqual } from '../access.js';
import { clientAddress, localPath, principalOf, refusal, SESSION_COOKIE } from '../auth.js';
import type { Authenticator } from '../authenticate.js';
import type { RouteDeps } from '../deps.js';
import { HttpError } from '../errors.js';
import type { SessionStore } from '../sessions.js';
import { parseCookies, serializeCookie } from '../sessions.js';
import { h } from '../views/html.js';
import { layout } from '../views/layout.js';
import { pageContext, redirectWithFlash } from './context.js';

/** Double-submit cookie guarding the login form itself (there is no session yet to hold a token). */
const LOGIN_CSRF_COOKIE = 'wareflow_login_csrf';
const SESSION_MAX_AGE = 43_200;

const loginForm = z.object({
  user: z.string().max(200),
  password: z.string().max(1000),
  _csrf: z.string().max(200),
  next: z.string().max(2000).optional(),
});

export function loginPages(
  deps: RouteDeps & { sessions: SessionStore; authenticator: Authenticator },
): Router {
  const { policy, sessions, authenticator } = deps;
  const r = Router();

  r.get('/login', (req, res) => {
    const ctx = pageContext(req, res, policy);
    const next = localPath(req.query.next);
    if (!policy.hasLogin) {
      res.send(
        layout(
          ctx,
          'Log in',
          h`<h1>Log in</h1>
            <p>
              No login is configured (DASHBOARD_USER/DASHBOARD_PASSWORD or DASHBOARD_USERS_FILE).
              ${policy.readOnly ? 'The dashboard is read-only.' : 'API clients use the Bearer token.'}
            </p>`,
        ),
      );
      return;
    }
    const token = randomBytes(24).toString('base64url');
    res.append(
      'Set-Cookie',
      serializeCookie(LOGIN_CSRF_COOKIE, token, { secure: req.secure, maxAgeSeconds: 3600 }),
    );
    res.send(
      layout(
        ctx,
        'Log in',
        h`<h1>Log in</h1>
          ${principalOf(res) ? h`<p>You are logged in as ${principalOf(res)!.user}.</p>` : ''}
          <form method="post" action="/login" class="panel login">
            <input type="hidden" name="_csrf" value="${token}" />
            <input type="hidden" name="next" value="${next}" />
            <label><span>User</span><input name="user" autocomplete="username" required autofocus /></label>
            <label
              ><span>Password</span
              ><input name="password" type="password" autocomplete="current-password" required
            /></label>
            <button type="submit" class="btn" id="login-button">Log in</button>
          </form>`,
      ),
    );
  });

  r.post('/login', async (req, res) => {
    if (!policy.hasLogin) throw new HttpError(404, 'no login is configured');
    const form = loginForm.parse(req.body);
    const cookieToken = parseCookies(req.get('cookie')).get(LOGIN_CSRF_COOKIE);
    if (!cookieToken || !safeEqual(cookieToken, form._csrf))
      throw new HttpError(403, 'the login form expired; reload it and try again');
    const next = localPath(form.next);
    const outcome = await authenticator.password('form', form.user, form.password, clientAddress(req));
    if (!outcome.ok && outcome.status === 429) throw refusal(res, outcome);
    if (!outcome.ok) {
      redirectWithFlash(res, `/login?next=${encodeURIComponent(next)}`, 'wrong user or password');
      return;
    }
    const { id } = await sessions.create(outcome.user);
    res.append(
      'Set-Cookie',
      serializeCookie(LOGIN_CSRF_COOKIE, '', { secure: req.secure, maxAgeSeconds: 0 }),
    );
    res.append(
      'Set-Cookie',
      serializeCookie(SESSION_COOKIE, id, { secure: req.secure, maxAgeSeconds: SESSION_MAX_AGE }),
    );
    res.redirect(303, next);
  });

  r.post('/logout', async (req, res) => {
    const principal = principalOf(res);
    if (principal?.via === 'session') {
      const sent = (req.body as { _csrf?: unknown } | undefined)?._csrf;
      if (typeof sent !== 'string' || !safeEqual(sent, principal.session.csrf))
        throw new HttpError(403, 'missing or invalid CSRF token');
      await sessions.destroy(principal.sessionId);
    }
    res.append('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { secure: req.secure, maxAgeSeconds: 0 }));
    redirectWithFlash(res, '/', 'logged out');
  });

  return r;
}
