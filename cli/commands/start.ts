import type { Command } from 'commander';
import { accessPolicy } from '../../dashboard/index.js';
import { ensureDatabase, migrateLatest } from '../../db/index.js';
import { createKnex, createLogger, loadConfig } from '../../platform/index.js';
import { startStreaming } from '../../streaming/index.js';
import { openEngine } from '../registry.js';
import { serveDashboard } from './dashboard.js';
import { startSchedulerProcess, startWorkerProcess, stopSignal } from './processes.js';

interface Running {
  name: string;
  close(): Promise<void>;
}

/**
 * `wareflow start` (what `npm start` runs): the scheduler, a worker, the streaming sidecar and the
 * dashboard in one process, for a laptop. Each role is the same code its own command runs, so
 * moving to one process per role later changes nothing but the process count.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run scheduler, worker, streaming sidecar and dashboard in one process (migrates first)')
    .option('--no-streaming', 'leave the Kafka sidecar out (no broker needed)')
    .action(async (opts: { streaming: boolean }) => {
      const config = loadConfig();
      // Refuse unguarded mutations before starting anything.
      accessPolicy(config);
      const logger = createLogger({ level: config.LOG_LEVEL, name: 'start' });

      await ensureDatabase(config.DATABASE_URL, (url) => createKnex(url, { poolMax: 1 }));
      const knex = createKnex(config.DATABASE_URL, { poolMax: 1 });
      try {
        await migrateLatest(knex);
      } finally {
        await knex.destroy();
      }

      const running: Running[] = [];
      const closeAll = async () => {
        // Reverse order of start: the dashboard goes first, the scheduler last.
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
          running.push({ name: 'streaming', close: () => sidecar.close() });
        }
        const ctx = await openEngine({ name: 'dashboard', poolMax: 6 });
        running.push({ name: 'dashboard engine', close: () => ctx.close() });
        const { dashboard, url } = await serveDashboard(ctx);
        running.push({ name: 'dashboard', close: () => dashboard.close() });
        logger.info({ url, roles: running.map((r) => r.name) }, 'wareflow started');
        process.stderr.write(`wareflow is running: dashboard on ${url} (Ctrl-C to stop)\n`);
      } catch (err) {
        await closeAll();
        throw err;
      }
      const signal = await stopSignal();
      logger.info({ signal }, 'stopping');
      await closeAll();
      logger.flush();
    });
}
