import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { RequestHandler, Router } from 'express';
import type { Logger, Redis } from '../platform/index.js';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardOptions {
  redis: Redis;
  /** QUEUE_PREFIX: the Redis key prefix of every wareflow queue. */
  prefix: string;
  /** Queues known up front (the engine's pools). */
  knownQueues: () => string[];
  readOnly: boolean;
  logger: Logger;
  /** Look for new queues in Redis at most this often. @defaultValue 10000 */
  discoverEveryMs?: number;
}

export interface MountedBullBoard {
  router: Router;
  /** Adds queues that appeared in Redis since the last look (throttled); runs before board requests. */
  discover: RequestHandler;
  queueNames(): string[];
  close(): Promise<void>;
}

/**
 * Bull Board on every wareflow queue: the engine's pools plus any queue found in Redis under
 * QUEUE_PREFIX (a pool of a DAG this process does not load still shows). Discovery is lazy —
 * done when someone opens the board — so the dashboard holds no timers.
 */
export function mountBullBoard(options: BullBoardOptions): MountedBullBoard {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  const board = createBullBoard({
    queues: [],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'wareflow queues', hideRedisDetails: false } },
  });
  const queues = new Map<string, Queue>();
  const everyMs = options.discoverEveryMs ?? 10_000;
  let lastLook = 0;
  let looking: Promise<void> | undefined;

  const add = (name: string) => {
    if (queues.has(name)) return;
    const queue = new Queue(name, { connection: options.redis, prefix: options.prefix });
    queue.on('error', (err) => options.logger.warn({ err, queue: name }, 'bull board queue error'));
    queues.set(name, queue);
    board.addQueue(
      new BullMQAdapter(queue, {
        readOnlyMode: options.readOnly,
        allowRetries: !options.readOnly,
        description: `wareflow pool queue (prefix ${options.prefix})`,
      }),
    );
  };

  const look = async () => {
    for (const name of options.knownQueues()) add(name);
    const pattern = `${options.prefix}:*:meta`;
    let cursor = '0';
    do {
      const [next, keys] = await options.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const name = key.slice(options.prefix.length + 1, -':meta'.length);
        if (name && !name.includes(':')) add(name);
      }
    } while (cursor !== '0');
    lastLook = Date.now();
  };

  return {
    router: serverAdapter.getRouter() as Router,
    discover: async (_req, _res, next) => {
      if (Date.now() - lastLook >= everyMs) {
        looking ??= look().finally(() => (looking = undefined));
        try {
          await looking;
        } catch (err) {
          options.logger.warn({ err }, 'could not discover queues in Redis');
        }
      }
      next();
    },
    queueNames: () => [...queues.keys()].sort(),
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}
