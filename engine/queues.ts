import { Queue } from 'bullmq';
import type { Redis } from '../platform/index.js';
import type { QueuedTry } from './store/index.js';

/** The BullMQ queue of a pool (one queue per pool, so Bull Board shows each). */
export function queueNameFor(pool: string): string {
  return `tasks-${pool}`;
}

/**
 * The BullMQ job id of one try of one task instance. The same for every enqueue of a try, so
 * enqueuing it twice (a worker and the scheduler's sweep racing) adds one job. Its `tryKey` is
 * drawn by PostgreSQL when the try is created, so the id never repeats across databases, resets
 * and restores: run ids and try numbers start over there, while Redis keeps the ids of jobs it
 * completed, and BullMQ silently adds nothing under an id it still holds. Run, task and try stay
 * in the id for people reading Bull Board; dashes only, since BullMQ reserves ':' in ids.
 */
export function jobIdFor(t: Pick<QueuedTry, 'runId' | 'taskId' | 'tryNumber' | 'tryKey'>): string {
  return `r${t.runId}-${t.taskId}-t${t.tryNumber}-${t.tryKey}`;
}

/**
 * The BullMQ priority of a try's job: none (BullMQ's first served) for a run at priority 0 or
 * above, so production jobs are never slowed; a run below 0 (a backfill's, by default) gets one,
 * and a worker takes every job without a priority before any job with one. Lower runs go later.
 */
export function bullPriority(runPriority = 0): number {
  return runPriority >= 0 ? 0 : Math.min(2_097_152, -runPriority);
}

/** What a task job carries: which try of which task instance to run. */
export interface TaskJobData {
  runId: number;
  dagId: string;
  taskId: string;
  tryNumber: number;
  /** The try's key (`QueuedTry.tryKey`); absent on jobs enqueued before keys existed. */
  tryKey?: string;
  /** Epoch ms when the try was enqueued. */
  enqueuedAt: number;
}

/** Producer side of the pools' queues; queues are opened on first use. Close with `close()`. */
export class TaskQueues {
  private readonly queues = new Map<string, Queue<TaskJobData>>();

  constructor(
    private readonly connection: Redis,
    /** Key prefix in Redis (QUEUE_PREFIX). */
    readonly prefix: string,
  ) {}

  queue(pool: string): Queue<TaskJobData> {
    let q = this.queues.get(pool);
    if (!q) {
      q = new Queue<TaskJobData>(queueNameFor(pool), { connection: this.connection, prefix: this.prefix });
      this.queues.set(pool, q);
    }
    return q;
  }

  /** Pools with an open queue. */
  pools(): string[] {
    return [...this.queues.keys()];
  }

  /** Enqueues tries, one bulk command per pool. A try already in Redis is not added twice. */
  async enqueue(tries: QueuedTry[]): Promise<void> {
    if (tries.length === 0) return;
    const byPool = new Map<string, QueuedTry[]>();
    for (const t of tries) byPool.set(t.pool, [...(byPool.get(t.pool) ?? []), t]);
    const now = Date.now();
    await Promise.all(
      [...byPool].map(([pool, list]) =>
        this.queue(pool).addBulk(
          list.map((t) => ({
            name: `${t.dagId}.${t.taskId}`,
            data: {
              runId: t.runId,
              dagId: t.dagId,
              taskId: t.taskId,
              tryNumber: t.tryNumber,
              tryKey: t.tryKey,
              enqueuedAt: now,
            },
            opts: {
              jobId: jobIdFor(t),
              delay: t.notBefore ? Math.max(0, t.notBefore.getTime() - now) : 0,
              ...(bullPriority(t.runPriority) > 0 ? { priority: bullPriority(t.runPriority) } : {}),
              attempts: 1,
              removeOnComplete: { count: 1000 },
              removeOnFail: { count: 5000 },
            },
          })),
        ),
      ),
    );
  }

  /**
   * Re-enqueues tries PostgreSQL says are waiting. A job that still waits is left alone; one that
   * already ended (so cannot be re-added under its id: a restored database revives tries whose
   * jobs ran after the backup) is removed first.
   */
  async reenqueue(tries: QueuedTry[]): Promise<number> {
    const missing: QueuedTry[] = [];
    for (const t of tries) {
      const job = await this.queue(t.pool).getJob(jobIdFor(t));
      if (!job) {
        missing.push(t);
        continue;
      }
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        await job.remove().catch(() => undefined);
        missing.push(t);
      }
    }
    await this.enqueue(missing);
    return missing.length;
  }

  /** Waiting + active + delayed jobs per pool, for the queue-depth gauge. */
  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [pool, q] of this.queues)
      out[pool] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
