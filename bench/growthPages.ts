/** The dashboard's pages over HTTP, against the bench's database, for `bench growth`. */
import { dags } from '../dags/index.js';
import { createDashboard } from '../dashboard/index.js';
import { warehouseReads } from '../cli/commands/dashboard.js';
import { createEngine } from '../engine/index.js';
import {
  createMailer,
  createRedis,
  loadConfig,
  type Config,
  type Knex,
  type Logger,
} from '../platform/index.js';

/** The pages a warehouse team opens, the busiest pair's page included (pair 0 sells most). */
export const PAGES = ['/stock', '/stock/WH-01/SKU-0001', '/stream', '/alerts', '/quality', '/reorders'];

export async function openPages(config: Config, knex: Knex, logger: Logger) {
  const readOnly = loadConfig({
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    KAFKA_BROKERS: config.KAFKA_BROKERS.join(','),
    QUEUE_PREFIX: 'bench-growth',
    DASHBOARD_PUBLIC_READ: 'true',
    DASHBOARD_READONLY: 'true',
    LOG_LEVEL: 'warn',
  });
  const redis = createRedis(readOnly.REDIS_URL);
  const mailer = createMailer(readOnly);
  const engine = createEngine({ knex, redis, queuePrefix: readOnly.QUEUE_PREFIX, dags, logger, mailer });
  const dashboard = createDashboard({
    config: readOnly,
    reads: warehouseReads(knex),
    pingDatabase: () => knex.raw('SELECT 1'),
    redis,
    engine,
    logger,
  });
  const { url } = await dashboard.listen(0, '127.0.0.1');
  const fetchPage = async (page: string) => {
    const started = performance.now();
    const response = await fetch(`${url}${page}`);
    await response.text();
    if (response.status !== 200) throw new Error(`${page} answered ${response.status}`);
    return (performance.now() - started) / 1000;
  };
  return {
    /** One fetch to warm up, then the median of three, in seconds. */
    async time(page: string): Promise<number> {
      await fetchPage(page);
      const runs = [await fetchPage(page), await fetchPage(page), await fetchPage(page)].sort(
        (a, b) => a - b,
      );
      return runs[1]!;
    },
    async close() {
      await dashboard.close();
      await engine.close();
      mailer.close();
      await redis.quit();
    },
  };
}
