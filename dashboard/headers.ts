import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Secure headers for wareflow's own pages. The CSP allows only same-origin scripts and styles —
 * the pages have no inline script, no inline style and no event-handler attributes (charts are
 * inline SVG using presentation attributes, which CSP does not govern). No
 * upgrade-insecure-requests: the dashboard is often served over plain HTTP on an internal host.
 */
export function pageHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/**
 * Bull Board's UI ships inline style attributes, a `<style>` block and Google Fonts; its scripts
 * are same-origin files. This CSP allows exactly that and nothing more, on /admin/queues only.
 */
export function bullBoardHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
        fontSrc: ["'self'", 'https://fonts.gstatic.com'],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}
