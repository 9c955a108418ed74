import type { Command } from 'commander';
import {
  coerceError,
  createLogger,
  loadConfig,
  registerDependencyGauge,
  startHealthServer,
  stopSignal,
  stopWithin,
  type HealthCheck,
  type StopPart,
} from '../../platform/index.js';
import { createScheduler, createWorkerStore } from '../../engine/index.js';
import { createTaskWorker, startMetricsServer } from '../../workers/index.js';
import { createTaskServices, openEngine, type EngineContext } from '../registry.js';
import { wholeNumber } from './arguments.js';

/** A role as a process runs it: `close()` releases it, `inHand()` says what stopping would abandon. */
export type RunningRole = Omit<StopPart, 'name'> & { port: number | undefined };

/**
 * PostgreSQL and Redis as the engine's connections see them. A Redis client that is not connected
 * fails at once: with `maxRetriesPerRequest: null` a PING would wait for the reconnection.
 */
function engineDependencies(ctx: EngineContext): Record<string, HealthCheck> {
  return {
    postgres: () => ctx.knex.raw('SELECT 1'),
    redis: async () => ctx.redis.status === 'ready' && (await ctx.redis.ping()) === 'PONG',
  };
}

/** Port option of a role: `false` serves nothing, `undefined` takes the configured port. */
type PortOption = number | false | undefined;

/**
 * Serves the role's /metrics and /health on `port`. A port already taken is logged, not fatal:
 * the role itself runs on (as it did before it had endpoints).
 */
async function serveEndpoints(
  ctx: EngineContext,
  port: number | false,
  start: (port: number) => Promise<{ port: number; close(): Promise<void> }>,
): Promise<{ port: number; close(): Promise<void> } | undefined> {
  if (port === false) return undefined;
  registerDependencyGauge(ctx.engine.metrics.registry, engineDependencies(ctx));
  return start(port).catch((err) => {
    ctx.logger.warn({ err: coerceError(err), port }, 'metrics and health not served');
    return undefined;
  });
}

/**
 * Runs the scheduler until SIGTERM; returns its `close()` for a process that runs more than one
 * role. Its /health fails when no scheduling pass has completed for a while, or when PostgreSQL
 * or Redis does not answer.
 */
export async function startSchedulerProcess(
  options: { tickMs?: number; metricsPort?: PortOption; staleAfterMs?: number } = {},
): Promise<RunningRole> {
  const ctx = await openEngine({ name: 'scheduler' });
  const scheduler = createScheduler(ctx.engine, {
    ...(options.tickMs ? { tickMs: options.tickMs } : {}),
    ...(options.staleAfterMs ? { staleAfterMs: options.staleAfterMs } : {}),
  });
  scheduler.start();
  const checks = { ...engineDependencies(ctx), loop: async () => scheduler.isAlive() };
  const port = options.metricsPort ?? ctx.config.SCHEDULER_METRICS_PORT;
  const server = await serveEndpoints(ctx, port, async (p) => {
    const s = await startHealthServer(p, ctx.engine.metrics.registry, checks, ctx.logger, {
      host: ctx.config.METRICS_HOST,
      metricsToken: ctx.config.METRICS_TOKEN,
    });
    ctx.logger.info({ port: s.port }, 'scheduler metrics listening');
    return s;
  });
  return {
    port: server?.port,
    async close() {
      await server?.close();
      await scheduler.close();
      await ctx.close();
    },
  };
}

/**
 * Runs a worker until SIGTERM: on stop it takes no new work and lets running tries finish. Its
 * /health fails when PostgreSQL or Redis does not answer or its BullMQ workers have stopped.
 */
export async function startWorkerProcess(
  options: { concurrency?: number; pools?: string[]; metricsPort?: PortOption } = {},
): Promise<RunningRole> {
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
    // Half the process's grace to finish running tries, half to hand them back.
    shutdownGraceMs: Math.floor(config.SHUTDOWN_GRACE_MS / 2),
    services: services?.services ?? {},
    ...(options.pools ? { pools: options.pools } : {}),
  });
  const checks = { ...engineDependencies(ctx), workers: async () => worker.isRunning() };
  const port = options.metricsPort ?? config.WORKER_METRICS_PORT;
  const server = await serveEndpoints(ctx, port, (p) =>
    startMetricsServer(ctx.engine.metrics.registry, p, ctx.logger, checks, {
      host: ctx.config.METRICS_HOST,
      metricsToken: ctx.config.METRICS_TOKEN,
    }),
  );
  return {
    port: server?.port,
    inHand: () => ({ runningTries: worker.runningTries() }),
    async close() {
      await worker.close();
      await server?.close();
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
    .option(
      '--metrics-port <port>',
      'port of /metrics and /health (default SCHEDULER_METRICS_PORT; 0 for any free port)',
      wholeNumber('--metrics-port', 0),
    )
    .action(async (opts: { tickMs: number; metricsPort?: number }) => {
      const asked = stopSignal();
      const running = await startSchedulerProcess({
        tickMs: opts.tickMs,
        ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
      });
      await stopUntilDone('scheduler', running, asked);
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
      'port of /metrics and /health (default WORKER_METRICS_PORT; 0 for any free port)',
      wholeNumber('--metrics-port', 0),
    )
    .action(async (opts: { concurrency?: number; pools?: string; metricsPort?: number }) => {
      const asked = stopSignal();
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
      await stopUntilDone('worker', running, asked);
    });
}

/**
 * Waits for SIGTERM or SIGINT, then stops the role within SHUTDOWN_GRACE_MS (see `stopWithin`).
 * `asked` listens from before the role started: the role logs that it runs before its last start
 * step returns, and a signal in between would otherwise meet Node's default (an exit without any
 * shutdown). A signal during the start stops the role once it has started; a second one exits.
 */
async function stopUntilDone(name: string, role: RunningRole, asked: Promise<string>): Promise<void> {
  const config = loadConfig();
  const signal = await asked;
  const logger = createLogger({ level: config.LOG_LEVEL, name });
  await stopWithin([{ name, ...role }], { graceMs: config.SHUTDOWN_GRACE_MS, logger, signal });
}
