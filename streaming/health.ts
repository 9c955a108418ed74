import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../platform/index.js';

export type HealthCheck = () => Promise<boolean>;

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

async function within(check: HealthCheck, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().catch(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
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

/** `/health` (200 or 503 with the state of each dependency) and `/metrics` (Prometheus text). */
export async function startHealthServer(
  port: number,
  registry: Registry,
  checks: Record<string, HealthCheck>,
  logger: Logger,
): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const reply = async () => {
      if (req.method !== 'GET') {
        res.writeHead(405).end();
      } else if (url === '/health') {
        const report = await runChecks(checks);
        res.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(report));
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
    server.listen(port, () => {
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
