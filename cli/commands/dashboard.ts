import type { Command } from 'commander';
import { accessPolicy, createDashboard, type Dashboard, type WarehouseReads } from '../../dashboard/index.js';
import {
  listDataQualityResults,
  listDataQualityRuns,
  listReorderRecommendations,
  listWeeklySummaries,
  readWeeklySummary,
} from '../../dags/index.js';
import {
  acknowledgeAlert,
  listAlertGroups,
  listAlerts,
  openAlertCounts,
} from '../../inventory/alerts/index.js';
import { pairDemandForecast } from '../../inventory/forecast/index.js';
import { computeFulfilmentMetrics, readDailyFulfilmentMetrics } from '../../inventory/fulfilment/index.js';
import {
  listStockLevels,
  pairLevelHistory,
  readPairStock,
  stockFacets,
} from '../../inventory/stock/index.js';
import { loadConfig, stopSignal, stopWithin, topicNames, type Knex } from '../../platform/index.js';
import {
  kafkajsBroker,
  anomalyHistogram,
  listAnomalies,
  listFulfilmentWindows,
  listOpenWindows,
  listStreamWindows,
  streamThroughput,
} from '../../streaming/index.js';
import { UsageError } from '../errors.js';
import { openEngine, type EngineContext } from '../registry.js';

/** The dashboard's read port (and its one write, acknowledging an alert): each owner's query bound to this database. */
export function warehouseReads(knex: Knex): WarehouseReads {
  return {
    listAlerts: (filter, page) => listAlerts(knex, filter, page),
    listAlertGroups: (filter, page, perGroup) => listAlertGroups(knex, filter, page, perGroup),
    acknowledgeAlert: (alertId, by, at) => acknowledgeAlert(knex, alertId, by, at),
    openAlertCounts: () => openAlertCounts(knex),
    listDataQualityResults: (filter, page) => listDataQualityResults(knex, filter, page),
    listDataQualityRuns: (filter, page) => listDataQualityRuns(knex, filter, page),
    listStreamWindows: (filter, page) => listStreamWindows(knex, filter, page),
    streamThroughput: (filter) => streamThroughput(knex, filter),
    listAnomalies: (filter, page) => listAnomalies(knex, filter, page),
    anomalyHistogram: (filter) => anomalyHistogram(knex, filter),
    listOpenWindows: (filter) => listOpenWindows(knex, filter),
    listStockLevels: (filter, page) => listStockLevels(knex, filter, page),
    stockFacets: () => stockFacets(knex),
    readPairStock: (sku, warehouseId) => readPairStock(knex, sku, warehouseId),
    pairLevelHistory: (sku, warehouseId, days) => pairLevelHistory(knex, sku, warehouseId, days),
    pairDemandForecast: (sku, warehouseId, days) => pairDemandForecast(knex, sku, warehouseId, days),
    listReorderRecommendations: (filter, page) => listReorderRecommendations(knex, filter, page),
    readDailyFulfilmentMetrics: (filter) => readDailyFulfilmentMetrics(knex, filter),
    computeFulfilmentMetrics: (period) => computeFulfilmentMetrics(knex, period),
    listFulfilmentWindows: (filter) => listFulfilmentWindows(knex, filter),
    listWeeklySummaries: (page) => listWeeklySummaries(knex, page),
    readWeeklySummary: (weekStart) => readWeeklySummary(knex, weekStart),
  };
}

/**
 * Serves the dashboard over an open engine context (also what an all-in-one `start` process
 * calls). The caller closes the returned dashboard before the context.
 */
export async function serveDashboard(
  ctx: EngineContext,
  options: { port?: number; host?: string } = {},
): Promise<{ dashboard: Dashboard; url: string }> {
  const dashboard = createDashboard({
    config: ctx.config,
    reads: warehouseReads(ctx.knex),
    pingDatabase: () => ctx.knex.raw('SELECT 1'),
    redis: ctx.redis,
    engine: ctx.engine,
    logger: ctx.logger,
    deadLetters: {
      broker: kafkajsBroker(ctx.config.KAFKA_BROKERS, ctx.logger, 'wareflow-dashboard'),
      db: ctx.knex,
      topics: topicNames(ctx.config),
    },
  });
  try {
    const { url } = await dashboard.listen(options.port, options.host);
    return { dashboard, url };
  } catch (err) {
    await dashboard.close();
    throw err;
  }
}

/** `wareflow dashboard`: the web UI, JSON API, Bull Board, /metrics and /health on DASHBOARD_PORT. */
export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve the dashboard: DAG pages, /api, Bull Board at /admin/queues, /metrics, /health')
    .option('--port <port>', 'port to listen on (default DASHBOARD_PORT, 3000)')
    .option('--host <host>', 'address to bind (default DASHBOARD_HOST, 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
        throw new UsageError(`--port must be a port number, got '${opts.port}'`);
      // Refuse unguarded mutations before opening any connection.
      accessPolicy(loadConfig());
      const ctx = await openEngine({ name: 'dashboard', poolMax: 6 });
      let served: Awaited<ReturnType<typeof serveDashboard>>;
      try {
        served = await serveDashboard(ctx, { port, host: opts.host });
      } catch (err) {
        await ctx.close();
        throw err;
      }
      process.stderr.write(`wareflow dashboard on ${served.url}\n`);
      const signal = await stopSignal();
      await stopWithin(
        [
          { name: 'dashboard', close: () => served.dashboard.close() },
          { name: 'dashboard engine', close: () => ctx.close() },
        ],
        { graceMs: ctx.config.SHUTDOWN_GRACE_MS, logger: ctx.logger, signal },
      );
    });
}
