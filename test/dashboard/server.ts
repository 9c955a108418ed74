import { z } from 'zod';
import { loadConfig, type ConfigInput, type Logger } from '../../platform/index.js';
import { defineDag, task, type Dag } from '../../engine/index.js';
import { createDashboard, type Dashboard } from '../../dashboard/index.js';
import type { DeadLetterSources } from '../../streaming/index.js';
import { warehouseReads } from '../../cli/commands/dashboard.js';
import { startHarness, type Harness } from '../engine/harness.js';
import { TEST_KAFKA_BROKERS, TEST_REDIS_URL } from '../support/isolation.js';

export const USER = 'operator';
export const PASSWORD = 'correct horse battery staple';
export const TOKEN = 'test-token-0123456789abcdef';
const START = '2026-01-01T00:00:00Z';

/** A two-task DAG with typed params, the kind of DAG the pages are built for. */
export const demoDag = defineDag({
  id: 'demo_etl',
  schedule: '0 2 * * *',
  startDate: START,
  description: 'Demo <b>ETL</b> for the dashboard tests',
  tags: ['test'],
  params: z.object({ days: z.number().int().min(1).max(30).default(7), label: z.string().default('x') }),
  tasks: {
    extract: task(async (ctx) => {
      ctx.log.info('extracting rows', { days: (ctx.params as { days: number }).days });
      return { rows: 3 };
    }),
    load: task(
      async (ctx) => {
        ctx.log.info('loading');
        return { loaded: (ctx.upstream.extract as { rows: number }).rows };
      },
      { upstream: ['extract'] },
    ),
  },
});

/** A DAG whose only task fails, to exercise clear and mark. */
export const failingDag = defineDag({
  id: 'always_fails',
  schedule: null,
  startDate: START,
  tasks: {
    boom: task(async (ctx) => {
      ctx.log.error('about to fail');
      throw new Error('intentional failure');
    }),
    after: task(async () => ({ ok: true }), { upstream: ['boom'] }),
  },
});

/**
 * Reads open to anonymous clients (DASHBOARD_PUBLIC_READ=true), for specs about what the pages and
 * the API show rather than who may see them; mutations still need the credentials above.
 */
export const PUBLIC_READ = { DASHBOARD_PUBLIC_READ: 'true' } as const;

export interface TestServer {
  harness: Harness;
  dashboard: Dashboard;
  url: string;
  close(): Promise<void>;
}

/**
 * A real dashboard on a random port over a harness engine (own database, own queue prefix).
 * `env` overrides configuration (credentials, read-only, service URLs).
 */
export async function startServer(
  options: {
    env?: ConfigInput;
    dags?: Dag[];
    worker?: boolean;
    harness?: Harness;
    logger?: Logger;
    /** Serves the /dlq page over these (the broker, usually in memory). */
    deadLetters?: (harness: Harness) => DeadLetterSources;
  } = {},
): Promise<TestServer> {
  const harness = options.harness ?? (await startHarness(options.dags ?? [demoDag, failingDag]));
  if (options.worker) harness.startWorker();
  const config = loadConfig({
    DATABASE_URL: harness.db.url,
    REDIS_URL: TEST_REDIS_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    QUEUE_PREFIX: harness.prefix,
    DASHBOARD_USER: USER,
    DASHBOARD_PASSWORD: PASSWORD,
    DASHBOARD_TOKEN: TOKEN,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const dashboard = createDashboard({
    config,
    reads: warehouseReads(harness.db.knex),
    pingDatabase: () => harness.db.knex.raw('SELECT 1'),
    redis: harness.redis,
    engine: harness.engine,
    logger: options.logger ?? harness.engine.logger,
    ...(options.deadLetters ? { deadLetters: options.deadLetters(harness) } : {}),
  });
  const { url } = await dashboard.listen(0, '127.0.0.1');
  return {
    harness,
    dashboard,
    url,
    async close() {
      await dashboard.close();
      // Sessions and login counters live under the queue prefix too; leave nothing behind.
      const keys = await harness.redis.keys(`${harness.prefix}:dashboard:*`);
      if (keys.length > 0) await harness.redis.del(...keys);
      if (!options.harness) await harness.close();
    },
  };
}

export const basic = (user = USER, password = PASSWORD) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A cookie jar of one browser session, enough for the login form flow. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

/** Logs in through the form; returns the jar and the session's CSRF token. */
export async function login(
  url: string,
  user = USER,
  password = PASSWORD,
): Promise<{ jar: CookieJar; csrf: string }> {
  const jar = new CookieJar();
  const form = await fetch(`${url}/login`);
  jar.store(form);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const posted = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ user, password, _csrf: token, next: '/' }),
  });
  if (posted.status !== 303 || !/^\/(\?|$)/.test(posted.headers.get('location') ?? ''))
    throw new Error(`login failed: ${posted.status} ${posted.headers.get('location')}`);
  jar.store(posted);
  const page = await fetch(`${url}/`, { headers: { cookie: jar.header() } });
  const csrf = /<meta name="csrf-token" content="([^"]*)"/.exec(await page.text())![1]!;
  return { jar, csrf };
}

/** A JSON POST (`method` can be overridden), with an Authorization header when given. */
export const json = (body: unknown, auth?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
  body: JSON.stringify(body),
});

/** Requests against the server `current()` returns (set in a `before` hook). */
export function apiClient(current: () => TestServer) {
  return {
    /** Fetches `path`; the body parsed as JSON. */
    async get(path: string, init: RequestInit = {}) {
      const response = await fetch(`${current().url}${path}`, init);
      return { status: response.status, body: (await response.json()) as Record<string, any>, response };
    },
    /** Runs the engine has created so far, to show that a refused request created none. */
    async runCount() {
      const [row] = await current().harness.db.knex('orchestrator.dag_runs').count({ n: '*' });
      return Number(row!.n);
    },
  };
}

/**
 * A server for the enclosing suite: started before its first spec (handed to `use`), closed after
 * its last.
 */
export function useServer(
  options: Parameters<typeof startServer>[0],
  use: (server: TestServer) => void,
): void {
  let server: TestServer | undefined;
  before(async () => {
    server = await startServer(options);
    use(server);
  });
  after(async () => {
    await server?.close();
  });
}
