import type { Command } from 'commander';
import { createLogger, loadConfig } from '../../platform/index.js';
import { servicesDown, servicesStatus, servicesUp, type ServicesResult } from '../../services/index.js';
import { EXIT } from '../errors.js';

interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
}

export function registerServicesCommands(program: Command): void {
  const services = program
    .command('services')
    .description('local PostgreSQL, Redis and Kafka without Docker: start what is missing, report, stop');

  services
    .command('up')
    .description(
      'make PostgreSQL, Redis and Kafka answer (start missing ones from this machine; Kafka from Maven Central jars) and create the topics',
    )
    .option('--quiet', 'print only problems')
    .option('--json', 'print one JSON document')
    .action(async (opts: OutputOptions) => {
      const config = loadConfig();
      const logger = createLogger({
        level: opts.quiet || opts.json ? 'error' : config.LOG_LEVEL,
        name: 'services',
      });
      const result = await servicesUp({ config, logger, onProgress: progress(opts) });
      print(result, opts);
      logger.flush();
    });

  services
    .command('down')
    .description(
      'stop what `services up` started (its Kafka broker; PostgreSQL/Redis only if it started them)',
    )
    .option('--quiet', 'print only problems')
    .option('--json', 'print one JSON document')
    .action(async (opts: OutputOptions) => {
      print(await servicesDown({ config: loadConfig(), onProgress: progress(opts) }), opts);
    });

  services
    .command('status')
    .description('report whether each service answers, starting nothing (exit 1 if one is down)')
    .option('--quiet', 'print only problems')
    .option('--json', 'print one JSON document')
    .action(async (opts: OutputOptions) => {
      print(await servicesStatus({ config: loadConfig() }), opts);
    });
}

function progress(opts: OutputOptions): ((message: string) => void) | undefined {
  return opts.quiet || opts.json ? undefined : (message) => process.stderr.write(`… ${message}\n`);
}

function print(result: ServicesResult, opts: OutputOptions): void {
  if (!result.ok) process.exitCode = EXIT.failed;
  if (opts.json) {
    console.log(JSON.stringify(result));
    return;
  }
  if (opts.quiet) {
    for (const s of result.services.filter((s) => !s.ok)) {
      process.stderr.write(
        `wareflow services ${result.command}: ${s.service} ${s.state} at ${s.where}: ${s.detail ?? ''}\n`,
      );
    }
    return;
  }
  const rows = result.services.map((s) => [
    s.service,
    s.state,
    s.where,
    [s.version, s.pid !== undefined ? `pid ${s.pid}` : undefined].filter(Boolean).join(', '),
    duration(s.ms),
  ]);
  const widths = rows.reduce(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [] as number[],
  );
  result.services.forEach((s, i) => {
    const line = rows[i]!.map((cell, j) =>
      j === rows[i]!.length - 1 ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!),
    ).join('  ');
    console.log(line.trimEnd());
    if (s.detail)
      console.log(
        `${' '.repeat(widths[0]! + 2)}${s.ok ? '' : 'problem: '}${s.detail.split('\n').join(`\n${' '.repeat(widths[0]! + 2)}`)}`,
      );
  });
  if (result.topics.length > 0) {
    console.log(`topics    ${result.topics.map((t) => `${t.topic} (${t.partitions})`).join(', ')}`);
  }
  console.log(`${result.ok ? 'ok' : 'NOT OK'} in ${duration(result.ms)}`);
}

function duration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(1)} s`;
}
