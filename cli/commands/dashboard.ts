import type { Command } from 'commander';
import { createDashboard } from '../../dashboard/index.js';
import { UsageError } from '../errors.js';
import { openEngine } from '../registry.js';

/** `wareflow dashboard`: the web UI, JSON API, Bull Board, /metrics and /health on DASHBOARD_PORT. */
export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('serve the dashboard: DAG pages, /api, Bull Board at /admin/queues, /metrics, /health')
    .option('--port <port>', 'port to listen on (default DASHBOARD_PORT, 3000)')
    .option('--host <host>', 'address to bind', '0.0.0.0')
    .action(async (opts: { port?: string; host: string }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
        throw new UsageError(`--port must be a port number, got '${opts.port}'`);
      const ctx = await openEngine({ name: 'dashboard', poolMax: 6 });
      let dashboard;
      try {
        dashboard = createDashboard({
          config: ctx.config,
          knex: ctx.knex,
          redis: ctx.redis,
          engine: ctx.engine,
          logger: ctx.logger,
        });
        const { url } = await dashboard.listen(port, opts.host);
        process.stderr.write(`wareflow dashboard on ${url}\n`);
      } catch (err) {
        await ctx.close();
        throw err;
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          ctx.logger.info({ signal }, 'dashboard stopping');
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await dashboard.close();
      await ctx.close();
    });
}
