import { Queue } from 'bullmq';
import { createLogger, createRedis, type Redis } from '../../platform/index.js';
import {
  createEngine,
  createWorkerStore,
  queueNameFor,
  type Dag,
  type Engine,
  type AlertMailer,
} from '../../engine/index.js';
import { createTaskWorker, type TaskWorker, type TaskWorkerOptions } from '../../workers/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testQueuePrefix, TEST_REDIS_URL } from '../support/isolation.js';

/** Captures alert e-mails instead of sending them. */
export class MailTrap implements AlertMailer {
  readonly sent: Array<{ subject: string; text: string }> = [];
  async send(mail: { subject: string; text: string }): Promise<string> {
    this.sent.push(mail);
    return `mail-${this.sent.length}`;
  }
}

export interface Harness {
  db: TestDatabase;
  engine: Engine;
  redis: Redis;
  prefix: string;
  mail: MailTrap;
  /** Starts an in-process worker (closed by `close`). */
  startWorker(options?: Partial<TaskWorkerOptions>): TaskWorker;
  /** Closes the in-process workers started so far. */
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An engine on a database and a queue prefix of its own, with the given DAGs. Everything it
 * opened is released by `close()`, and its Redis keys are removed.
 */
export async function startHarness(
  dags: Dag[],
  options: {
    now?: () => Date;
    /** Where alert e-mails go instead of the MailTrap (a real SMTP mailer). */
    mailer?: AlertMailer;
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const prefix = testQueuePrefix();
  const redis = createRedis(TEST_REDIS_URL);
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const mail = new MailTrap();
  const engine = createEngine({
    knex: db.knex,
    redis,
    queuePrefix: prefix,
    dags,
    logger,
    mailer: options.mailer ?? mail,
    ...(options.now ? { now: options.now } : {}),
  });
  const workers: TaskWorker[] = [];
  const pools = [...new Set(dags.flatMap((d) => d.tasks.map((t) => t.pool)))];
  return {
    db,
    engine,
    redis,
    prefix,
    mail,
    startWorker(o = {}) {
      const w = createTaskWorker(engine, {
        store: createWorkerStore(db.knex),
        connection: redis,
        concurrency: 4,
        heartbeatMs: 200,
        ...o,
      });
      workers.push(w);
      return w;
    },
    async stopWorkers() {
      await Promise.all(workers.splice(0).map((w) => w.close()));
    },
    async close() {
      await Promise.all(workers.splice(0).map((w) => w.close()));
      await engine.close();
      for (const pool of pools) {
        const q = new Queue(queueNameFor(pool), { connection: redis, prefix });
        await q.obliterate({ force: true });
        await q.close();
      }
      await redis.quit();
      await db.drop();
    },
  };
}
