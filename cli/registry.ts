import type { Config, Knex, Logger, Redis } from '../platform/index.js';
import { createKnex, createLogger, createRedis, loadConfig, createMailer } from '../platform/index.js';
import { createEngine, type Dag, type Engine, type TaskServices } from '../engine/index.js';

/**
 * The composition root's one link to the DAG registry (dags/index.ts). Loaded lazily so that
 * commands which need no DAGs (db, services) never load the DAG code.
 */
export async function loadDags(): Promise<readonly Dag[]> {
  const registry = await import('../dags/index.js');
  return registry.dags;
}

/** The services every task receives as `ctx.services`, with their `close()`. */
export async function createTaskServices(
  config: Config,
  logger: Logger,
): Promise<{ services: TaskServices; close(): Promise<void> }> {
  const registry = await import('../dags/index.js');
  const inventory = await registry.createDagServices(config, logger);
  return { services: { inventory }, close: () => inventory.close() };
}

export interface EngineContext {
  config: Config;
  logger: Logger;
  knex: Knex;
  redis: Redis;
  engine: Engine;
  /** Releases everything, in reverse order of acquisition. */
  close(): Promise<void>;
}

/** Opens an engine on the configured PostgreSQL and Redis with the registered DAGs. */
export async function openEngine(options: { poolMax?: number; name?: string } = {}): Promise<EngineContext> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL, name: options.name ?? 'cli' });
  const dags = await loadDags();
  const knex = createKnex(config.DATABASE_URL, {
    poolMax: options.poolMax ?? 4,
    applicationName: `wareflow-${options.name ?? 'cli'}`,
  });
  const redis = createRedis(config.REDIS_URL);
  const mailer = createMailer(config);
  const engine = createEngine({ knex, redis, queuePrefix: config.QUEUE_PREFIX, dags, logger, mailer });
  return {
    config,
    logger,
    knex,
    redis,
    engine,
    async close() {
      await engine.close();
      mailer.close();
      await redis.quit();
      await knex.destroy();
      logger.flush();
    },
  };
}

/** Runs `fn` with an engine and always closes it. */
export async function withEngine<T>(
  fn: (ctx: EngineContext) => Promise<T>,
  options?: { name?: string },
): Promise<T> {
  const ctx = await openEngine(options);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
