import type { Registry } from 'prom-client';
import {
  startHealthServer,
  type HealthCheck,
  type HealthServerOptions,
  type Logger,
} from '../platform/index.js';

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /health` for a worker process: 200 when every
 * check passes, 503 naming the ones that did not (each bounded by a timeout). Without checks
 * /health only says that the process answers.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  logger: Logger,
  checks: Record<string, HealthCheck> = {},
  options: HealthServerOptions = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const server = await startHealthServer(port, registry, checks, logger, options);
  logger.info({ port: server.port, checks: Object.keys(checks) }, 'worker metrics listening');
  return server;
}
