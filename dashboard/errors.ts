import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import {
  ConflictError,
  InvalidInputError,
  ServiceUnavailableError,
  coerceError,
  type Logger,
} from '../platform/index.js';

/** An answer other than 2xx that the client caused or should see; its message is shown as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

/** One line per problem, naming the field: `conf.days: expected number, received string`. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Status and client-facing message of anything thrown by a handler. */
export function classifyError(thrown: unknown): { status: number; message: string; expected: boolean } {
  if (thrown instanceof HttpError) return { status: thrown.status, message: thrown.message, expected: true };
  if (thrown instanceof ZodError) return { status: 400, message: describeZodError(thrown), expected: true };
  if (thrown instanceof InvalidInputError) return { status: 400, message: thrown.message, expected: true };
  if (thrown instanceof ConflictError) return { status: 409, message: thrown.message, expected: true };
  const bodyError = thrown as { type?: unknown; status?: unknown } | null;
  if (bodyError?.type === 'entity.parse.failed')
    return { status: 400, message: 'request body is not valid JSON', expected: true };
  if (bodyError?.type === 'entity.too.large')
    return { status: 413, message: 'request body too large', expected: true };
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500)
    return { status: bodyError.status, message: coerceError(thrown).message, expected: true };
  if (thrown instanceof ServiceUnavailableError)
    return { status: 503, message: `${thrown.service} is unavailable`, expected: false };
  // Never a stack trace or an internal message: they can carry SQL, URLs or file paths.
  return { status: 500, message: 'internal error (see the dashboard log)', expected: false };
}

/**
 * The last middleware: JSON `{ error }` for the API (and anything asking for JSON), an HTML page
 * otherwise. Unexpected errors are logged with their stack, never sent.
 */
export function errorHandler(
  logger: Logger,
  renderPage: (status: number, message: string, path: string) => string,
): ErrorRequestHandler {
  return (thrown, req, res, next) => {
    if (res.headersSent) return next(thrown);
    const { status, message, expected } = classifyError(thrown);
    if (!expected)
      logger.error({ err: coerceError(thrown), method: req.method, path: req.path }, 'request failed');
    res.status(status);
    if (req.path.startsWith('/api/') || !req.accepts('html')) res.json({ error: message });
    else res.type('html').send(renderPage(status, message, req.path));
  };
}
