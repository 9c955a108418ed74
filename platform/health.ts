import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from './logger.js';
import { withTimeout } from './timeout.js';

/** Passes when it resolves to anything but `false`; a rejection or no answer in time fails it. */
export type HealthCheck = () => Promise<unknown>;

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** Whether `check` passes within `ms`. */
function within(check: HealthCheck, ms: number): Promise<boolean> {
  return withTimeout(
    check().then((v) => v !== false),
    ms,
    () => new Error('no answer in time'),
  ).catch(() => false);
}

/** Runs every check (each bounded by a timeout); healthy when all pass. */
export async function runChecks(
  checks: Record<string, HealthCheck>,
  timeoutMs = 2_000,
): Promise<{ status: 'ok' | 'down'; checks: Record<string, 'ok' | 'down'> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(
      async ([name, check]) => [name, (await within(check, timeoutMs)) ? 'ok' : 'down'] as const,
    ),
  );
  const result = Object.fromEntries(entries) as Record<string, 'ok' | 'down'>;
  return { status: Object.values(result).every((v) => v === 'ok') ? 'ok' : 'down', checks: result };
}

/**
 * `wareflow_dependency_up{dependency}` in `registry`: 1 when the dependency passes its check at
 * scrape time, 0 when it does not (each check bounded by `timeoutMs`). The alert rules read it.
 * `probe` is either the checks, or a function that runs them all and says which passed.
 */
export function registerDependencyGauge(
  registry: Registry,
  probe: Record<string, HealthCheck> | (() => Promise<Record<string, boolean>>),
  timeoutMs = 2_000,
): void {
  const states =
    typeof probe === 'function'
      ? probe
      : async () =>
          Object.fromEntries(
            Object.entries((await runChecks(probe, timeoutMs)).checks).map(([k, v]) => [k, v === 'ok']),
          );
  new Gauge({
    name: 'wareflow_dependency_up',
    help: 'Whether a service this process depends on (postgres, redis, kafka) answers its health check',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      for (const [dependency, up] of Object.entries(await states())) this.set({ dependency }, up ? 1 : 0);
    },
  });
}

export interface HealthServerOptions {
  /** The address to bind: loopback unless said otherwise (METRICS_HOST). @defaultValue 127.0.0.1 */
  host?: string;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>` (METRICS_TOKEN). */
  metricsToken?: string | undefined;
  /** How long each health check may take. @defaultValue 2000 */
  timeoutMs?: number;
}

/** Whether an Authorization header carries exactly this bearer token (compared in constant time). */
function bearerIs(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * `/health` (200 or 503 with the state of each check) and `/metrics` (Prometheus text), for the
 * processes without an HTTP app of their own: the scheduler, the worker, the streaming sidecar.
 */
export async function startHealthServer(
  port: number,
  registry: Registry,
  checks: Record<string, HealthCheck>,
  logger: Logger,
  options: HealthServerOptions = {},
): Promise<HealthServer> {
  const { host = '127.0.0.1', metricsToken, timeoutMs = 2_000 } = options;
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const reply = async () => {
      if (req.method !== 'GET') {
        res.writeHead(405).end();
      } else if (url === '/health') {
        const report = await runChecks(checks, timeoutMs);
        res.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(report));
      } else if (url === '/metrics' && metricsToken && !bearerIs(req.headers.authorization, metricsToken)) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      } else if (url === '/metrics') {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(body);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      }
    };
    reply().catch((err: unknown) => {
      logger.error({ err, url }, 'health server request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
