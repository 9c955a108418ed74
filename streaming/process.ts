import { createLogger, type Config } from '../platform/index.js';
import { startStreaming, type StreamingOptions } from './sidecar.js';

/**
 * Runs the sidecar as a process until SIGTERM or SIGINT (or a fatal consumer error, exit code 1);
 * then drains the batch in hand, commits it, and exits. Resolves when it has shut down.
 */
export async function runStreamingProcess(config: Config, options: StreamingOptions = {}): Promise<void> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'streaming' });
  let fatal: (() => void) | undefined;
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
  await new Promise<void>((resolve) => {
    fatal = resolve;
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping: draining the batch in hand');
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await sidecar.close();
  logger.info(sidecar.totals, 'streaming sidecar stopped');
  logger.flush();
}
