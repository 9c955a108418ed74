import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.js';

/** Largest JSON body the API reads; a larger one is a 413. */
export const JSON_BODY_LIMIT = '100kb';
/**
 * Deepest nesting of arrays and objects a JSON body may have. Nothing the API takes needs more
 * than a few levels; a deep body would only cost the parser, zod and PostgreSQL's jsonb (which
 * refuses very deep values with an error of its own) stack and time.
 */
export const MAX_JSON_DEPTH = 32;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The API's body readers, in order: a body must say it is JSON in UTF-8 (415 otherwise: a
 * text/plain or form body is never read as "no body"), must be UTF-8, at most
 * `JSON_BODY_LIMIT` and nested at most `MAX_JSON_DEPTH` deep (400), and an object or array.
 */
export function apiBodies(): RequestHandler[] {
  return [
    requireJsonContentType,
    express.json({
      limit: JSON_BODY_LIMIT,
      strict: true,
      // Throwing here answers with the error's own status (http-errors keeps an error's status).
      verify: (_req, _res, buf) => {
        try {
          utf8.decode(buf);
        } catch {
          throw new HttpError(400, 'request body is not valid UTF-8');
        }
        if (nestingDepth(buf) > MAX_JSON_DEPTH) {
          throw new HttpError(400, `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
        }
      },
    }),
  ];
}

const requireJsonContentType: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || !hasBody(req.headers)) return next();
  const header = req.get('content-type');
  if (!header) return next(new HttpError(415, 'a body needs Content-Type: application/json'));
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') {
    return next(new HttpError(415, `send JSON (Content-Type: application/json), not ${type.slice(0, 100)}`));
  }
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return next(new HttpError(415, `unsupported charset ${charset.slice(0, 40)}: send UTF-8`));
  }
  next();
};

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Deepest bracket nesting of JSON text, outside strings; one pass, no recursion. */
export function nestingDepth(buf: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return deepest;
}
