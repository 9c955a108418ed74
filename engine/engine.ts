import type { Knex, Logger, Redis } from '../platform/index.js';
import { InvalidInputError } from '../platform/index.js';
import type { Dag } from './dag.js';
import type { AlertMailer } from './alerts.js';
import { createEngineMetrics, type EngineMetrics } from './metrics.js';
import { TaskQueues } from './queues.js';

/** What every engine operation works with. Create it with `createEngine`; close it with `close()`. */
export interface Engine {
  readonly knex: Knex;
  readonly dags: ReadonlyMap<string, Dag>;
  readonly queues: TaskQueues;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  readonly mailer: AlertMailer | undefined;
  /** The clock the scheduler reads; tests freeze it. */
  readonly now: () => Date;
  /** The DAG with this id, or an InvalidInputError naming it. */
  dag(dagId: string): Dag;
  /** Closes the queues (the knex handle and Redis connection belong to the caller). */
  close(): Promise<void>;
}

export interface EngineOptions {
  knex: Knex;
  /** Connection for the queue producers (BullMQ needs `maxRetriesPerRequest: null`). */
  redis: Redis;
  /** QUEUE_PREFIX: the prefix of every BullMQ key. */
  queuePrefix: string;
  dags: readonly Dag[];
  logger: Logger;
  /** Alert e-mails (task failed after its last try, SLA missed); none when unset. */
  mailer?: AlertMailer;
  metrics?: EngineMetrics;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

export function createEngine(options: EngineOptions): Engine {
  const byId = new Map<string, Dag>();
  for (const d of options.dags) {
    if (byId.has(d.id)) throw new InvalidInputError(`DAG '${d.id}' is defined twice`);
    byId.set(d.id, d);
  }
  const queues = new TaskQueues(options.redis, options.queuePrefix);
  const metrics = options.metrics ?? createEngineMetrics({ knex: options.knex, queues });
  return {
    knex: options.knex,
    dags: byId,
    queues,
    logger: options.logger,
    metrics,
    mailer: options.mailer,
    now: options.now ?? (() => new Date()),
    dag(dagId) {
      const d = byId.get(dagId);
      if (!d)
        throw new InvalidInputError(
          `unknown DAG '${dagId}' (known: ${[...byId.keys()].join(', ') || 'none'})`,
        );
      return d;
    },
    async close() {
      await queues.close();
    },
  };
}
