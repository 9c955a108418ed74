/**
 * The bad-input corpus of the dashboard: requests a careless or hostile client sends, each with the
 * answer it must get. Data only; `badInput.test.ts` sends every one as the logged-in operator (a
 * session cookie and its CSRF token) and checks the answer's status and message, and that no
 * answer is a 500 or shows a stack trace or SQL.
 *
 * A case under /api/ must answer JSON `{ "error": "…" }`; any other path an HTML page.
 */
export interface BadInput {
  /** What the request is, as a sentence fragment: "a body over the JSON limit". */
  name: string;
  method?: 'GET' | 'POST' | 'PATCH';
  /** Path and query, already encoded as it goes on the wire. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * The status the request must get. A page form answers 303 back to its page with the problem as
   * the one-time `flash` message (post/redirect/get), which `says` then matches.
   */
  status: number;
  /** Something the message must say, so that a client knows what to fix. */
  says: RegExp;
}

export const enc = encodeURIComponent;
export const nested = (depth: number, open: string, close: string) =>
  open.repeat(depth) + close.repeat(depth);

export const JSON_TYPE = { 'content-type': 'application/json' };
