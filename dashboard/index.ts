import type { DeadLetterSources } from '../streaming/index.js';
/**
 * The dashboard: DAG pages, JSON API, Bull Board, /metrics and /health in one Express app.
 * It receives every connection and the DAG registry from the composition root and closes only
 * what it opened itself (the HTTP server, Bull Board's queue handles, the health probe's Kafka
 * admin), so the caller closes the database and Redis after `close()`. Warehouse data is read
 * only through the `WarehouseReads` port the composition root binds from the owners' queries.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { Config, Logger, Redis } from '../platform/index.js';
import type { Dag, Engine } from '../engine/index.js';
import { buildApp } from './app.js';
import type { DashboardEngine } from './engine.js';
import { engineOperations } from './engineAdapter.js';
import type { WarehouseReads } from './warehouseReads.js';

export { accessPolicy, type AccessPolicy } from './access.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { ROLES, isRole, isUserName, readUsers, writeUsers, type Role, type StoredUser } from './usersFile.js';
export { scheduleInWords } from './views/cronText.js';
export { h } from './views/html.js';
export { engineOperations } from './engineAdapter.js';
export type * from './engine.js';
export type { Bound, WarehouseReads } from './warehouseReads.js';

export interface DashboardOptions {
  config: Config;
  /** The alert, data-quality and stream queries, bound to the database by the composition root. */
  reads: WarehouseReads;
  /** /health's PostgreSQL check: resolves when the database answers (e.g. `SELECT 1`). */
  pingDatabase: () => Promise<unknown>;
  redis: Redis;
  /** The engine (orchestrator `createEngine`), whose operations every page and API call uses. */
  engine: Engine | DashboardEngine;
  /**
   * The DAG registry (`dags` of dags/index.ts, passed in by the composition root).
   * @defaultValue the engine's DAGs
   */
  dags?: readonly Dag[];
  logger: Logger;
  /** More prom-client registries to serve on /metrics (the engine's is taken from `engine`). */
  registries?: Registry[];
  /** The DLQ topics and their replays, for the /dlq page (served only when given). */
  deadLetters?: DeadLetterSources;
}

export interface Dashboard {
  app: Express;
  /** Starts listening. @param port defaults to DASHBOARD_PORT; 0 picks a free port. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

/**
 * Builds the dashboard. Throws a ConfigError naming DASHBOARD_USER/DASHBOARD_PASSWORD/
 * DASHBOARD_TOKEN/DASHBOARD_READONLY when mutations would be allowed without credentials.
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const engine = 'queues' in options.engine ? engineOperations(options.engine) : options.engine;
  const dags = options.dags ?? ('queues' in options.engine ? [...options.engine.dags.values()] : []);
  const { app, board, health } = buildApp({ ...options, engine, dags, registries: options.registries ?? [] });
  let server: Server | undefined;
  return {
    app,
    listen(port = options.config.DASHBOARD_PORT, host = options.config.DASHBOARD_HOST) {
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, (err?: Error) => {
          if (err) return reject(err);
          const address = s.address() as AddressInfo;
          // A wildcard address is reachable on loopback too: show the URL a browser here opens.
          const shownHost =
            host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
          options.logger.info({ host, port: address.port }, 'dashboard listening');
          resolve({ port: address.port, url: `http://${shownHost}:${address.port}` });
        });
        s.on('error', reject);
        server = s;
      });
    },
    async close() {
      const s = server;
      server = undefined;
      if (s) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          // Keep-alive connections (browsers, Bull Board polling) would hold close() open.
          s.closeAllConnections();
        });
      }
      await board.close();
      await health.close();
    },
  };
}
