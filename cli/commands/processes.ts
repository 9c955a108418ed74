import type { Command } from 'commander';
import { coerceError, loadConfig } from '../../platform/index.js';
import { createScheduler, createWorkerStore } from '../../engine/index.js';
import { createTaskWorker, startMetricsServer } from '../../workers/index.js';
import { createTaskServices, openEngine } from '../registry.js';
import { wholeNumber } from './arguments.js';

/** Resolves when the process is asked to stop (SIGTERM or SIGINT). */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => resolve(s));
  });
}

/** Runs the scheduler until SIGTERM; returns its `close()` for a process that runs more than one role. */
export async function startSchedulerProcess(
  options: { tickMs?: number } = {},
): Promise<{ close(): Promise<void> }> {
  const ctx = await openEngine({ name: 'scheduler' });
  const scheduler = createScheduler(ctx.engine, { ...(options.tickMs ? { tickMs: options.tickMs } : {}) });
  scheduler.start();
  return {
    async close() {
      await scheduler.close();
      await ctx.close();
    },
  };
}

/** Runs a worker until SIGTERM: on stop it takes no new work and lets running tries finish. */
export async function startWorkerProcess(
  options: { concurrency?: number; pools?: string[]; metricsPort?: number | false } = {},
): Promise<{ close(): Promise<void> }> {
  const config = loadConfig();
  const ctx = await openEngine({
    name: 'worker',
    poolMax: (options.concurrency ?? config.WORKER_CONCURRENCY) + 2,
  });
  const services = await createTaskServices(ctx.config, ctx.logger).catch((err) => {
    ctx.logger.warn({ err: coerceError(err) }, 'task services unavailable; tasks that need them will fail');
    return undefined;
  });
  const worker = createTaskWorker(ctx.engine, {
    store: createWorkerStore(ctx.engine.knex),
    connection: ctx.redis,
    concurrency: options.concurrency ?? config.WORKER_CONCURRENCY,
    services: services?.services ?? {},
    ...(options.pools ? { pools: options.pools } : {}),
  });
  const port = options.metricsPort === undefined ? config.WORKER_METRICS_PORT : options.metricsPort;
  const metrics =
    port === false
      ? undefined
      : await startMetricsServer(ctx.engine.metrics.registry, port, ctx.logger).catch((err) => {
          ctx.logger.warn({ err: coerceError(err), port }, 'worker metrics not served');
          return undefined;
        });
  return {
    async close() {
      await worker.close();
      await metrics?.close();
      await services?.close();
      await ctx.close();
    },
  };
}

export function registerProcessCommands(program: Command): void {
  program
    .command('scheduler')
    .description(
      'run the scheduler until SIGTERM (creates due runs, drives backfills, re-enqueues lost tries, SLAs)',
    )
    .option('--tick-ms <ms>', 'pause between scheduling passes', wholeNumber('--tick-ms'), 1000)
    .action(async (opts: { tickMs: number }) => {
      const running = await startSchedulerProcess({ tickMs: opts.tickMs });
      await stopSignal();
      await running.close();
    });

  program
    .command('worker')
    .description(
      'run task instances from the pool queues until SIGTERM (then finishes or hands back running tries)',
    )
    .option('--concurrency <n>', 'tries at once (default WORKER_CONCURRENCY)', wholeNumber('--concurrency'))
    .option('--pools <list>', 'comma-separated pools to serve (default: every pool of the DAGs)')
    .option(
      '--metrics-port <port>',
      'port of /metrics (default WORKER_METRICS_PORT; 0 for any free port)',
      wholeNumber('--metrics-port', 0),
    )
    .action(async (opts: { concurrency?: number; pools?: string; metricsPort?: number }) => {
      const running = await startWorkerProcess({
        ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
        ...(opts.pools
          ? {
              pools: opts.pools
                .split(',')
                .map((p) => p.trim())
                .filter(Boolean),
            }
          : {}),
        ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
      });
      await stopSignal();
      await running.close();
    });
}
