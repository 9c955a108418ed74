import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Registry } from 'prom-client';
import { registerDependencyGauge, type Config, type Logger, type Redis } from '../platform/index.js';
import type { Dag } from '../engine/index.js';
import type { DeadLetterSources } from '../streaming/index.js';
import { accessPolicy } from './access.js';
import { orchestrationApi } from './api/orchestration.js';
import { dagViewsApi } from './api/dagViews.js';
import { assetsApi } from './api/assets.js';
import { poolsApi } from './api/pools.js';
import { warehouseApi } from './api/warehouse.js';
import { reportsApi } from './api/reports.js';
import { stockApi } from './api/stock.js';
import { fulfilmentApi } from './api/fulfilment.js';
import { auditApi } from './api/audit.js';
import { openApiRouter } from './api/openapi.js';
import { runNotesApi } from './api/runNotes.js';
import { auditBoard, auditRefusals } from './audit.js';
import { identify, requireMetricsToken, requireMutation, requireOperator, requireReader } from './auth.js';
import { createAuthenticator } from './authenticate.js';
import { apiBodies } from './bodies.js';
import { BULL_BOARD_PATH, mountBullBoard, type MountedBullBoard } from './bullBoard.js';
import { DagCatalog } from './dagCatalog.js';
import type { RouteDeps } from './deps.js';
import type { DashboardEngine } from './engine.js';
import { errorHandler, HttpError } from './errors.js';
import { bullBoardHeaders, pageHeaders } from './headers.js';
import { createHealthChecker, type HealthChecker } from './health.js';
import { createDashboardMetrics } from './metrics.js';
import { auditPages } from './pages/audit.js';
import { cancelApi } from './api/cancel.js';
import { cancelPages } from './pages/cancel.js';
import { assetPages } from './pages/assets.js';
import { backfillPages } from './pages/backfills.js';
import { poolPages } from './pages/pools.js';
import { dagPages } from './pages/dags.js';
import { dlqPages } from './pages/dlq.js';
import { loginPages } from './pages/login.js';
import { notFoundHandler } from './pages/notFound.js';
import { alertPages } from './pages/alerts.js';
import { resultPages } from './pages/results.js';
import { runListPages } from './pages/runList.js';
import { runPages } from './pages/runs.js';
import { runNotePages } from './pages/runNote.js';
import { streamPages } from './pages/stream.js';
import { pairPages } from './pages/pair.js';
import { reorderPages } from './pages/reorders.js';
import { reportPages } from './pages/reports.js';
import { stockPages } from './pages/stock.js';
import { fulfilmentPages } from './pages/fulfilment.js';
import { createSessionStore } from './sessions.js';
import { createAuthThrottle } from './throttle.js';
import type { WarehouseReads } from './warehouseReads.js';
import { errorPage } from './views/layout.js';
import { notFoundPage } from './views/notFound.js';

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');

export interface BuiltApp {
  app: Express;
  board: MountedBullBoard;
  health: HealthChecker;
}

export interface AppOptions {
  config: Config;
  reads: WarehouseReads;
  pingDatabase: () => Promise<unknown>;
  redis: Redis;
  dags: readonly Dag[];
  engine: DashboardEngine;
  logger: Logger;
  registries: Registry[];
  /** The DLQ topics and their replays (the /dlq page); without them the page is not served. */
  deadLetters?: DeadLetterSources;
}

/** The routers of `/api` below its open description, in mount order (the OpenAPI spec walks them). */
export function apiRouters(deps: RouteDeps): Router[] {
  return [
    orchestrationApi(deps),
    cancelApi(deps),
    dagViewsApi(deps),
    warehouseApi(deps),
    stockApi(deps),
    reportsApi(deps),
    fulfilmentApi(deps),
    runNotesApi(deps),
    auditApi(deps),
    assetsApi(deps),
    poolsApi(deps),
  ];
}

/** Assembles the Express app; owns nothing it was handed (see `createDashboard` for lifetimes). */
export function buildApp(options: AppOptions): BuiltApp {
  const { config, reads, pingDatabase, redis, engine, logger } = options;
  // Throws before anything listens when mutations or reads are unguarded by mistake.
  const policy = accessPolicy(config, logger);
  const sessions = createSessionStore(redis, { prefix: config.QUEUE_PREFIX });
  const throttle = createAuthThrottle(redis, { prefix: config.QUEUE_PREFIX });
  const authenticator = createAuthenticator(policy, throttle, logger);
  const catalog = new DagCatalog(options.dags, engine);
  const deps: RouteDeps = { engine, catalog, reads, policy, logger };
  const metrics = createDashboardMetrics(
    [engine.registry, ...options.registries].filter((r): r is Registry => r !== undefined),
  );
  const health = createHealthChecker({ pingDatabase, redis, kafkaBrokers: config.KAFKA_BROKERS });
  registerDependencyGauge(metrics.registry, async () =>
    Object.fromEntries(Object.entries((await health.check()).checks).map(([name, r]) => [name, r.ok])),
  );
  const board = mountBullBoard({
    redis,
    prefix: config.QUEUE_PREFIX,
    knownQueues: () => engine.queueNames(),
    readOnly: policy.readOnly,
    logger,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // no nested objects from ?a[b]=c: every value is a string
  app.use(metrics.middleware);

  const pages = pageHeaders();
  const boardHeaders = bullBoardHeaders();
  app.use((req, res, next) => (req.path.startsWith(BULL_BOARD_PATH) ? boardHeaders : pages)(req, res, next));

  app.get('/health', health.handler);
  app.get('/metrics', requireMetricsToken(config.METRICS_TOKEN), metrics.handler);
  app.use('/static', express.static(STATIC_DIR, { maxAge: '1h', index: false, fallthrough: false }));
  // The API's description is open: it holds no data, and clients read it before they log in.
  app.use('/api', openApiRouter());

  app.use(identify(policy, sessions, authenticator));

  const boardMutation = requireMutation(policy, 'board');
  const boardGuard: RequestHandler = (req, res, next) =>
    req.method === 'GET' || req.method === 'HEAD' ? next() : boardMutation(req, res, next);
  app.use(BULL_BOARD_PATH, requireOperator(), boardGuard, auditBoard(engine), board.discover, board.router);

  // Everything below is a page or /api: a read needs a login unless reads are public.
  app.use(requireReader(policy));

  app.use('/api', ...apiBodies());
  app.use('/api', ...apiRouters(deps));
  app.use('/api', (_req, _res, next) => next(new HttpError(404, 'no such API endpoint')));

  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(loginPages({ ...deps, sessions, authenticator }));
  app.use(dagPages(deps), runPages(deps), cancelPages(deps), backfillPages(deps), alertPages(deps));
  app.use(resultPages(deps), runListPages(deps), streamPages(deps), runNotePages(deps), auditPages(deps));
  app.use(assetPages(deps), poolPages(deps));
  app.use(stockPages(deps), pairPages(deps), reorderPages(deps), reportPages(deps), fulfilmentPages(deps));
  if (options.deadLetters) app.use(dlqPages(deps, options.deadLetters));
  app.use(notFoundHandler(policy));
  app.use(auditRefusals(engine));

  app.use(
    errorHandler(logger, (status, message, path) => {
      // The error page shows no viewer details: it may be rendered before identification.
      const ctx = { canMutate: false, readOnly: policy.readOnly, hasLogin: policy.hasLogin, path };
      return status === 404 ? notFoundPage(ctx, path, message) : errorPage(ctx, status, message);
    }),
  );
  return { app, board, health };
}
