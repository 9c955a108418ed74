import type { Command } from 'commander';
import { accessPolicy } from '../../dashboard/index.js';
import { ensureDatabase, migrateLatest } from '../../db/index.js';
import { startBackfill } from '../../engine/index.js';
import { MAX_SKUS, MAX_WAREHOUSES } from '../../inventory/generator/index.js';
import {
  createKnex,
  createLogger,
  loadConfig,
  ServiceUnavailableError,
  stopSignal,
  stopWithin,
  type Logger,
  type StopPart,
} from '../../platform/index.js';
import { servicesUp } from '../../services/index.js';
import { startStreaming } from '../../streaming/index.js';
import { ensureLocalCredentials } from '../localCredentials.js';
import { openEngine, type EngineContext } from '../registry.js';
import { wholeNumber } from './arguments.js';
import { serveDashboard } from './dashboard.js';
import { DEMO_DEFAULTS, ensureDemo, startDemoFeed, type DemoSet } from './demo.js';
import { startSchedulerProcess, startWorkerProcess } from './processes.js';

type Running = StopPart;

interface StartOptions {
  streaming: boolean;
  demo: boolean;
  demoSkus: number;
  demoWarehouses: number;
  demoDays: number;
}

/** Days of daily ETL a freshly loaded demo gets at once, so metrics and charts have a history. */
const DEMO_ETL_DAYS = 35;

/**
 * `wareflow start` (what `npm start` runs): the whole system in one process, for a laptop. It
 * brings up what is missing (the local Kafka; PostgreSQL and Redis are checked and, where this
 * machine has them, started), migrates, loads a demo into an empty warehouse, then runs the
 * scheduler, a worker, the streaming sidecar, the dashboard and a live demo feed. Each role is the
 * same code its own command runs, so one process per role later changes only the process count.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run the whole system in one process: services, migrations, demo data, every role, a live feed',
    )
    .option('--no-streaming', 'leave Kafka, the sidecar and the live feed out')
    .option('--no-demo', 'load no demo data into an empty warehouse and run no live demo feed')
    .option(
      '--demo-skus <n>',
      'products of the demo',
      wholeNumber('--demo-skus', 1, MAX_SKUS),
      DEMO_DEFAULTS.skus,
    )
    .option(
      '--demo-warehouses <n>',
      'warehouses of the demo',
      wholeNumber('--demo-warehouses', 1, MAX_WAREHOUSES),
      DEMO_DEFAULTS.warehouses,
    )
    .option(
      '--demo-days <n>',
      'days of demo history',
      wholeNumber('--demo-days', 1, 3660),
      DEMO_DEFAULTS.days,
    )
    .action(async (opts: StartOptions) => {
      const say = (line: string) => process.stdout.write(`${line}\n`);
      // One process runs every role: at info level their JSON logs would bury the lines above.
      // Task logs are stored with their runs either way; LOG_LEVEL=info shows everything here.
      if (!process.env.LOG_LEVEL?.trim()) process.env.LOG_LEVEL = 'warn';
      // Without configured credentials, a generated login (kept under DATA_DIR) guards the
      // dashboard: this process never runs with mutations open.
      const credentials = await ensureLocalCredentials(loadConfig());
      if (credentials) {
        process.env.DASHBOARD_USER = credentials.user;
        process.env.DASHBOARD_PASSWORD = credentials.password;
      }
      const config = loadConfig();
      accessPolicy(config);
      const logger = createLogger({ level: config.LOG_LEVEL, name: 'start' });

      const services = await servicesUp({
        config,
        logger,
        services: opts.streaming ? ['postgres', 'redis', 'kafka'] : ['postgres', 'redis'],
        onProgress: (message) => say(`… ${message}`),
      });
      for (const s of services.services.filter((s) => s.state === 'started' || !s.ok))
        say(`${s.service}: ${s.state} at ${s.where}${s.ok || !s.detail ? '' : `: ${s.detail}`}`);
      const missing = services.services.filter((s) => !s.ok).map((s) => s.service);
      if (missing.length > 0)
        throw new ServiceUnavailableError(
          missing.join(', '),
          'not available; see the lines above for what to install or start',
        );

      await ensureDatabase(config.DATABASE_URL, (url) => createKnex(url, { poolMax: 1 }));
      const knex = createKnex(config.DATABASE_URL, { poolMax: 1 });
      try {
        await migrateLatest(knex);
      } finally {
        await knex.destroy();
      }
      const demoSet: DemoSet = {
        seed: DEMO_DEFAULTS.seed,
        skus: opts.demoSkus,
        warehouses: opts.demoWarehouses,
        days: opts.demoDays,
      };
      const demo = opts.demo ? await ensureDemo(config, demoSet, say) : undefined;

      const running: Running[] = [];
      const closeAll = async () => {
        // Reverse order of start: the feed and the dashboard go first, the scheduler last.
        for (const role of running.splice(0).reverse()) {
          await role.close().catch((err) => logger.warn({ err, role: role.name }, 'error while stopping'));
        }
      };
      try {
        running.push({ name: 'scheduler', ...(await startSchedulerProcess()) });
        running.push({ name: 'worker', ...(await startWorkerProcess()) });
        if (opts.streaming) {
          const sidecar = await startStreaming(config, {
            logger: logger.child({ role: 'streaming' }),
            onFatal: (err) =>
              logger.error({ err }, 'streaming sidecar stopped; restart wareflow to resume it'),
          });
          running.push({ name: 'streaming', close: () => sidecar.close(), inHand: () => sidecar.inHand() });
        }
        const ctx = await openEngine({ name: 'dashboard', poolMax: 6 });
        running.push({ name: 'dashboard engine', close: () => ctx.close() });
        const { dashboard, url } = await serveDashboard(ctx);
        running.push({ name: 'dashboard', close: () => dashboard.close() });
        if (demo?.loaded) await backfillDemoEtl(ctx, logger, say);
        if (demo && opts.streaming) {
          const feed = await startDemoFeed(config, demo.demo, logger.child({ role: 'demo feed' }));
          running.push({ name: 'demo feed', close: () => feed.close() });
          say(
            `live demo feed: ${feed.rate.toFixed(3)} events/s, the demo's natural trade (event time is wall time)`,
          );
        }
        logger.info({ url, roles: running.map((r) => r.name) }, 'wareflow started');
        say(`dashboard: ${url}`);
        if (credentials) {
          say(`login: ${credentials.user} / ${credentials.password}`);
          if (credentials.generated)
            say(
              `(generated and kept in ${credentials.file}; set DASHBOARD_USER and DASHBOARD_PASSWORD to choose your own)`,
            );
        } else if (config.DASHBOARD_USER) {
          say(`login: ${config.DASHBOARD_USER} with DASHBOARD_PASSWORD`);
        }
        say('Ctrl-C stops wareflow; `npx wareflow services down` also stops the Kafka broker it started.');
        say(`logs: ${config.LOG_LEVEL} and above here (set LOG_LEVEL=info for every role's log)`);
      } catch (err) {
        await closeAll();
        throw err;
      }
      const signal = await stopSignal();
      // Reverse order of start, within SHUTDOWN_GRACE_MS whatever is down (exit code 3 past it).
      await stopWithin(running.splice(0).reverse(), { graceMs: config.SHUTDOWN_GRACE_MS, logger, signal });
      logger.flush();
    });
}

/** The daily ETL over the demo's last days, as a backfill the scheduler drives in the background. */
async function backfillDemoEtl(
  ctx: EngineContext,
  logger: Logger,
  say: (line: string) => void,
): Promise<void> {
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const from = new Date(today.getTime() - DEMO_ETL_DAYS * 86_400_000);
  const to = new Date(today.getTime() - 2 * 86_400_000);
  try {
    const backfill = await startBackfill(ctx.engine, 'daily_inventory_etl', { from, to, concurrency: 2 });
    say(
      `daily ETL over the demo's last ${backfill.total} days: backfill ${backfill.id}, running in the background`,
    );
  } catch (err) {
    logger.warn({ err }, 'could not start the demo backfill of the daily ETL');
  }
}
