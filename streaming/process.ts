import { createLogger, stopSignal, stopWithin, type Config } from '../platform/index.js';
import { startStreaming, type StreamingOptions } from './sidecar.js';

/**
 * Runs the sidecar as a process until SIGTERM or SIGINT (or a fatal consumer error, exit code 1);
 * then drains the batch in hand, commits it, and exits. Resolves when it has shut down. If that
 * takes longer than SHUTDOWN_GRACE_MS (PostgreSQL or Kafka down), it logs the batches in hand and
 * exits with code 3: nothing of them is committed, so the next owner of the partitions reads them
 * again from PostgreSQL's stored offsets.
 */
export async function runStreamingProcess(config: Config, options: StreamingOptions = {}): Promise<void> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'streaming' });
  // Listening from before the start: the sidecar logs that it started before startStreaming
  // returns, and a signal in between would meet Node's default (an exit with no shutdown).
  const asked = stopSignal();
  let fatal: (() => void) | undefined;
  const failed = new Promise<undefined>((resolve) => (fatal = () => resolve(undefined)));
  const sidecar = await startStreaming(config, {
    ...options,
    logger,
    // A consumer that stopped for good cannot recover in this process: exit non-zero so that a
    // supervisor restarts it (the partitions resume from the offsets in PostgreSQL).
    onFatal: () => {
      process.exitCode = 1;
      fatal?.();
    },
  });
  const signal: string | undefined = await Promise.race([asked, failed]);
  logger.info({ signal }, 'stopping: draining the batch in hand');
  await stopWithin([{ name: 'streaming', close: () => sidecar.close(), inHand: () => sidecar.inHand() }], {
    graceMs: config.SHUTDOWN_GRACE_MS,
    logger,
    ...(signal ? { signal } : {}),
  });
  logger.info(sidecar.totals, 'streaming sidecar stopped');
  logger.flush();
}
