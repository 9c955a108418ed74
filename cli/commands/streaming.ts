import type { Command } from 'commander';
import { loadConfig } from '../../platform/index.js';
import { runStreamingProcess } from '../../streaming/index.js';
import { UsageError } from '../errors.js';

function positive(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`${name} must be a whole number > 0 (got ${value})`);
    return n;
  };
}

export function registerStreamingCommands(program: Command): void {
  program
    .command('streaming')
    .description(
      'run the Kafka streaming sidecar (inventory-events → PostgreSQL, windows, anomalies, alerts) until SIGTERM',
    )
    .option(
      '--concurrency <n>',
      'partitions processed at once by this instance',
      positive('--concurrency'),
      6,
    )
    .option('--port <n>', 'port of /health and /metrics (default STREAMING_PORT)', positive('--port'))
    .option(
      '--session-timeout-ms <ms>',
      'how long the group waits for a silent instance before moving its partitions (min 6000)',
      positive('--session-timeout-ms'),
      30_000,
    )
    .action(async (opts: { concurrency: number; port?: number; sessionTimeoutMs: number }) => {
      const config = loadConfig();
      await runStreamingProcess(config, {
        concurrency: opts.concurrency,
        port: opts.port,
        sessionTimeoutMs: opts.sessionTimeoutMs,
      });
    });
}
