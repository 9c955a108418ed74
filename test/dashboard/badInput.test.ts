import http from 'node:http';
import { expect } from 'chai';
import { login, useServer, type TestServer } from './server.js';
import { CORPUS, type BadInput } from './badInput/corpus.js';

/** What no answer may show: a stack frame, a file of ours or a library's, SQL or a driver error. */
const LEAKS: Array<[string, RegExp]> = [
  ['a stack frame', /\bat [\w.<>]+ \(|at file:\/\/|\.ts:\d+:\d+/],
  ['a file path', /node_modules|\/work\/|wareflow\/(dashboard|engine|streaming)\//],
  ['SQL', /\b(select|insert into|update \w+ set|delete from)\b.*\b(from|where|values)\b/i],
  [
    'a PostgreSQL error',
    /invalid byte sequence|syntax error at|violates|relation "|column "|out of range for type/i,
  ],
  ['an internal error', /internal error|TypeError|RangeError|ReferenceError|Maximum call stack/],
];

interface Answer {
  status: number;
  type: string;
  location: string;
  body: string;
}

/**
 * One raw HTTP request: `fetch` refuses some of the corpus (bodies without a content type get
 * one, and a path is normalised), so the bytes go out exactly as the case wrote them.
 */
function send(base: string, c: BadInput, cookie: string, csrf: string): Promise<Answer> {
  const url = new URL(base);
  const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body);
  const headers: Record<string, string> = {
    accept: c.path.startsWith('/api/') ? 'application/json' : 'text/html',
    cookie,
    'x-csrf-token': csrf,
    ...c.headers,
  };
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: c.path, method: c.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            location: res.headers.location ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Why an answer does not meet its case, or undefined when it does. */
function judge(c: BadInput, a: Answer): string | undefined {
  const api = c.path.startsWith('/api/');
  if (a.status >= 500) return `${a.status}: ${a.body.slice(0, 200)}`;
  for (const [what, re] of LEAKS) if (re.test(a.body)) return `shows ${what}: ${a.body.slice(0, 300)}`;
  let message: string;
  if (a.status === 303) {
    message = new URL(a.location, 'http://x.invalid').searchParams.get('flash') ?? '';
    if (message === '') return `redirected to ${a.location} without a message`;
  } else if (api) {
    if (!a.type.startsWith('application/json')) return `answered ${a.type}, not JSON`;
    const parsed = JSON.parse(a.body) as { error?: unknown };
    if (typeof parsed.error !== 'string' || parsed.error === '') return `no error message: ${a.body}`;
    message = parsed.error;
  } else {
    if (!a.type.startsWith('text/html')) return `answered ${a.type}, not an HTML page`;
    message =
      /<p class="error">([\s\S]*?)<\/p>|<p class="lead">([\s\S]*?)<\/p>/.exec(a.body)?.slice(1).join('') ??
      '';
    if (message === '' && a.status !== 404) return `no error paragraph in the page`;
    message ||= a.body;
  }
  if (a.status !== c.status) return `${a.status} instead of ${c.status}: ${message.slice(0, 200)}`;
  if (!c.says.test(message)) return `the message does not match ${String(c.says)}: ${message.slice(0, 200)}`;
  return undefined;
}

describe('dashboard: the bad-input corpus', function () {
  let server: TestServer;
  useServer({}, (s) => (server = s));

  it(`answers each of the ${CORPUS.length} bad requests of the corpus with a clear 4xx, never a 500, a stack trace or SQL`, async function () {
    this.timeout(120_000);
    const { jar, csrf } = await login(server.url);
    const failures: string[] = [];
    for (const c of CORPUS) {
      const answer = await send(server.url, c, jar.header(), csrf);
      const why = judge(c, answer);
      if (why) failures.push(`${c.name}: ${why}`);
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    // Nothing in the corpus may have started a run.
    const [row] = await server.harness.db.knex('orchestrator.dag_runs').count({ n: '*' });
    expect(Number(row!.n)).to.equal(0);
  });

  it('gives the names in the corpus once each, so a failure points at one case', function () {
    const names = CORPUS.map((c) => c.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).to.deep.equal([]);
  });
});
