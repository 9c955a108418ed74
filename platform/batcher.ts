/**
 * Group commit: calls made while a flush is in flight wait for it and then go out together in the
 * next one, so under load many small writes share one round trip, and a lone call goes out at
 * once (it waits only for the current turn of the event loop). One flush runs at a time.
 */
export type Batcher<I, O> = (item: I) => Promise<O>;

export interface BatcherOptions {
  /** Most items in one flush. @defaultValue 64 */
  maxBatch?: number;
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
  let queue: Array<Pending<I, O>> = [];
  let running: Promise<void> | undefined;

  const settle = async (batch: Array<Pending<I, O>>): Promise<void> => {
    try {
      const results = await flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i] as O));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const p of batch) await settle([p]);
    }
  };

  const loop = async (): Promise<void> => {
    // Let the calls of this turn of the event loop join the first flush.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      await settle(batch);
    }
    running = undefined;
  };

  return (item: I) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      running ??= loop();
    });
}
