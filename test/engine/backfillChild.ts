/** Runs a backfill of nightly_chain (scheduler side and a worker) until it is killed. */
import { createKnex, createLogger, createRedis } from '../../platform/index.js';
import { advanceBackfill, createEngine, createWorkerStore, startBackfill } from '../../engine/index.js';
import { createTaskWorker } from '../../workers/index.js';
import { backfillDag } from './fixtures-backfill.js';

const knex = createKnex(process.env.DATABASE_URL!, { poolMax: 6 });
const redis = createRedis(process.env.REDIS_URL!);
const engine = createEngine({
  knex,
  redis,
  queuePrefix: process.env.QUEUE_PREFIX!,
  dags: [backfillDag],
  logger: createLogger({ level: 'silent' }),
});
createTaskWorker(engine, {
  store: createWorkerStore(knex),
  connection: redis,
  concurrency: 4,
  heartbeatMs: 200,
  lockDurationMs: 1000,
  stalledIntervalMs: 500,
  staleMs: 1500,
});
const b = await startBackfill(engine, backfillDag.id, {
  from: new Date(process.env.FROM!),
  to: new Date(process.env.TO!),
  concurrency: 2,
});
process.stdout.write(`backfill ${b.id}\n`);
for (;;) {
  await advanceBackfill(engine, backfillDag, b.id);
  await new Promise((r) => setTimeout(r, 20));
}
