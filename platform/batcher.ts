/**
 * Group commit: calls made while the flushes allowed at once are in flight wait for one of them
 * and then go out together in the next one, so under load many small writes share one round
 * trip, and a lone call goes out at once (it waits only for the current turn of the event loop).
 */
export type Batcher<I, O> = (item: I) => Promise<O>;

export interface BatcherOptions {
  /** Most items in one flush. @defaultValue 64 */
  maxBatch?: number;
  /**
   * Flushes in flight at once. With 1, a call made during a flush waits for it; with more, it goes
   * out at once in a flush of its own while fewer than this many are in flight, so a light load
   * pays no wait and a heavy one still shares round trips. @defaultValue 1
   */
  concurrency?: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * `flush` receives the items in call order and returns one result per item, in the same order.
 * When a flush of several items throws, each item is flushed again on its own, so one bad item
 * (a log line PostgreSQL refuses, say) fails only its own call.
 */
export function createBatcher<I, O>(
  flush: (items: I[]) => Promise<O[]>,
  options: BatcherOptions = {},
): Batcher<I, O> {
  const maxBatch = options.maxBatch ?? 64;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let queue: Array<Pending<I, O>> = [];
  /** Lanes running, and those of them about to take what waits (in their first turn). */
  let lanes = 0;
  let starting = 0;

  const settle = async (batch: Array<Pending<I, O>>): Promise<void> => {
    try {
      const results = await flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as O));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const p of batch) await settle([p]);
    }
  };

  // A lane flushes what waits, one batch after another, until nothing does.
  const lane = async (): Promise<void> => {
    // Let the calls of this turn of the event loop join the first flush.
    await new Promise<void>((resolve) => setImmediate(resolve));
    starting -= 1;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      await settle(batch);
    }
    lanes -= 1;
  };

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // A new lane only when none is about to take this call and fewer than allowed are in flight.
      if (starting === 0 && lanes < concurrency) {
        lanes += 1;
        starting += 1;
        void lane();
      }
    });
}
