import type { RequestHandler } from 'express';
import type { AccessPolicy } from '../access.js';
import { notFoundPage } from '../views/notFound.js';
import { pageContext } from './context.js';

/**
 * The last page route: a 404 page with the nav for browsers, `{ error }` for anything asking for
 * JSON. (Unknown /api paths answer JSON before reaching here.)
 */
export function notFoundHandler(policy: AccessPolicy): RequestHandler {
  return (req, res) => {
    res.status(404);
    if (!req.accepts('html')) {
      res.json({ error: `no page at ${req.path}` });
      return;
    }
    res.type('html').send(notFoundPage(pageContext(req, res, policy), req.path));
  };
}
