import { InvalidArgumentError, Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import {
  createKafka,
  createKnex,
  createLogger,
  ensureTopics,
  loadConfig,
  redact,
  topicNames,
  type Config,
} from '../../platform/index.js';
import { ensureDatabase, migrateLatest } from '../../db/index.js';
import {
  MAX_SKUS,
  MAX_WAREHOUSES,
  createLabelSink,
  ensureOpeningStock,
  generateMasterData,
  generateToPostgres,
  naturalRate,
  planFeedTime,
  type FeedTime,
  publishToKafka,
  writeMasterData,
} from '../../inventory/generator/index.js';
import { UsageError } from '../errors.js';
import { wholeNumber } from './arguments.js';

interface GenerateFlags {
  to: 'postgres' | 'kafka';
  days: number;
  skus: number;
  warehouses: number;
  rows?: number;
  connections: number;
  rate?: number;
  count?: number;
  duration?: number;
  seed: number;
  injectAnomalies?: number;
  burst?: boolean;
  json?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a number above 0');
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 30)
    throw new InvalidArgumentError('expected a number from 0 to 30');
  return n;
}

/** A rate for people: 3 significant digits below 100 events/s. */
function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toPrecision(3);
}

/** A progress bar on stdout when it is a terminal (and not --json); otherwise nothing. */
function progressBar(enabled: boolean, unit: string) {
  if (!enabled) return undefined;
  return new cliProgress.SingleBar(
    {
      format: ` {bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
}

async function preparedDatabase(config: Config, connections = 2) {
  await ensureDatabase(config.DATABASE_URL, (url) => createKnex(url, { poolMax: 1 }));
  const knex = createKnex(config.DATABASE_URL, {
    poolMax: connections,
    applicationName: 'wareflow-generate',
  });
  try {
    await migrateLatest(knex);
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  return knex;
}

async function toPostgres(flags: GenerateFlags, config: Config): Promise<void> {
  const knex = await preparedDatabase(config, flags.connections + 1);
  const bar = progressBar(!flags.json && process.stdout.isTTY === true, 'rows');
  const started = performance.now();
  try {
    bar?.start(1, 0, { rate: 0 });
    const summary = await generateToPostgres(
      knex,
      {
        seed: flags.seed,
        skus: flags.skus,
        warehouses: flags.warehouses,
        days: flags.days,
        connections: flags.connections,
        ...(flags.rows === undefined ? {} : { targetRows: flags.rows }),
        ...(flags.injectAnomalies === undefined ? {} : { injectAnomalies: flags.injectAnomalies }),
      },
      (p) => {
        bar?.setTotal(Math.max(p.estimatedRows, p.rows));
        bar?.update(p.rows, { rate: Math.round(p.rows / ((performance.now() - started) / 1000)) });
      },
    );
    bar?.update(summary.rows);
    bar?.stop();
    if (flags.json) {
      console.log(JSON.stringify({ target: 'postgres', database: redact(config.DATABASE_URL), ...summary }));
    } else {
      console.log(
        `${redact(config.DATABASE_URL)}: ${summary.products} products × ${summary.warehouses} warehouses, ` +
          `${summary.rows} transactions from ${summary.from} to ${summary.to}` +
          (summary.replaced > 0 ? ` (replaced ${summary.replaced} earlier rows of these pairs)` : '') +
          ` in ${summary.seconds.toFixed(1)} s, ${Math.round(summary.rows_per_s)} rows/s`,
      );
      if (summary.fulfilment_events > 0)
        console.log(`order, shipment and audit events: ${summary.fulfilment_events}`);
      const labelled = Object.entries(summary.labels).filter(([, n]) => n > 0);
      if (labelled.length > 0)
        console.log(`incident labels: ${labelled.map(([type, n]) => `${type} ${n}`).join(', ')}`);
    }
  } finally {
    bar?.stop();
    await knex.destroy();
  }
}

async function toKafka(flags: GenerateFlags, config: Config): Promise<void> {
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'generate' });
  const master = generateMasterData({ seed: flags.seed, skus: flags.skus, warehouses: flags.warehouses });
  const rate = flags.rate ?? naturalRate(master);
  // A burst is live traffic at the given rate: stamped with the wall clock, however fast.
  const feedTime: FeedTime | undefined = flags.burst
    ? { kind: 'live', naturalRate: naturalRate(master) }
    : planFeedTime(master, rate, Date.now(), {
        ...(flags.count === undefined ? {} : { count: flags.count }),
        ...(flags.duration === undefined ? {} : { durationS: flags.duration }),
      });
  if (!feedTime) {
    throw new UsageError(
      `--rate ${rate} is a time-lapse of this catalogue (its natural trade is ` +
        `${naturalRate(master).toPrecision(3)} events/s): give --count or --duration, so its simulated time can end now`,
    );
  }
  // The sidecar rejects events for SKUs and warehouses it does not know, and needs stock to apply
  // sales to: master data and opening stock go to PostgreSQL first.
  const knex = await preparedDatabase(config);
  let opened: Awaited<ReturnType<typeof ensureOpeningStock>>;
  try {
    await writeMasterData(knex, master);
    opened = await ensureOpeningStock(knex, master, { seed: flags.seed });
  } catch (err) {
    await knex.destroy();
    throw err;
  }
  const labels = flags.injectAnomalies
    ? createLabelSink(knex, (err) => logger.error({ err }, 'could not store incident labels; retrying'))
    : undefined;
  const names = topicNames(config);
  const topic = names.events;
  const fulfilmentTopics = { orders: names.orders, shipments: names.shipments, audit: names.audit };
  const kafka = createKafka(config.KAFKA_BROKERS, logger, 'wareflow-generate');
  await ensureTopics(
    kafka,
    [topic, ...Object.values(fulfilmentTopics)].map((t) => ({ topic: t })),
  );

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = progressBar(
    !flags.json && process.stdout.isTTY === true && flags.count !== undefined,
    'events',
  );
  if (!flags.json && !bar) {
    process.stderr.write(
      `publishing to ${topic} at ${formatRate(rate)} events/s` +
        (feedTime.kind === 'live'
          ? ', stamped with the wall clock'
          : `, a ${Math.round(feedTime.factor)}× time-lapse: event time runs in simulated time from ` +
            `${new Date(feedTime.start).toISOString()} to now`) +
        (flags.count === undefined && flags.duration === undefined ? ' until interrupted (Ctrl-C)\n' : '\n'),
    );
  }
  try {
    bar?.start(flags.count ?? 0, 0, { rate: 0 });
    const summary = await publishToKafka(
      kafka,
      topic,
      {
        seed: flags.seed,
        master,
        levels: opened.levels,
        rate,
        ...(feedTime.kind === 'time-lapse'
          ? { eventTime: { start: feedTime.start, rate: feedTime.naturalRate } }
          : {}),
        signal: stop.signal,
        fulfilmentTopics,
        ...(labels ? { injectAnomalies: { rate: flags.injectAnomalies!, onLabel: labels.write } } : {}),
        ...(flags.count === undefined ? {} : { count: flags.count }),
        ...(flags.duration === undefined ? {} : { durationMs: flags.duration * 1000 }),
      },
      (p) => bar?.update(p.events, { rate: Math.round(p.events / Math.max(p.seconds, 0.001)) }),
    );
    bar?.stop();
    await labels?.close();
    const result = {
      target: 'kafka',
      topic,
      opened_pairs: opened.opened,
      rows: summary.events,
      injected_events: summary.injected,
      fulfilment_events: summary.fulfilment,
      labels: labels?.written ?? 0,
      seconds: summary.seconds,
      rows_per_s: summary.events_per_s,
      event_time: feedTime.kind === 'live' ? 'wall' : 'simulated',
      time_lapse_factor: feedTime.kind === 'live' ? 1 : feedTime.factor,
      stopped: summary.stopped,
    };
    if (flags.json) console.log(JSON.stringify(result));
    else
      console.log(
        `${topic}: published ${result.rows} events in ${result.seconds.toFixed(1)} s ` +
          `(${Math.round(result.rows_per_s)}/s, stopped by ${result.stopped}), ` +
          `and ${result.fulfilment_events} order, shipment and audit events` +
          (labels ? `; ${result.injected_events} in ${result.labels} labelled incidents` : ''),
      );
  } finally {
    bar?.stop();
    await labels?.close();
    await knex.destroy();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logger.flush();
  }
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('demo data: a history of transactions into PostgreSQL, or live events into Kafka')
    .addOption(
      new Option('--to <target>', 'where the data goes').choices(['postgres', 'kafka']).default('postgres'),
    )
    .option(
      '--days <n>',
      'days of history ending at the current hour (postgres)',
      wholeNumber('--days', 1, 3660),
      30,
    )
    .option('--skus <n>', 'number of products', wholeNumber('--skus', 1, MAX_SKUS), 50)
    .option('--warehouses <n>', 'number of warehouses', wholeNumber('--warehouses', 1, MAX_WAREHOUSES), 3)
    .option(
      '--rows <n>',
      'aim for about this many transactions, scaling demand (postgres)',
      wholeNumber('--rows', 1),
    )
    .option(
      '--connections <n>',
      'PostgreSQL connections writing at once; above 1 the pairs are briefly empty (postgres)',
      wholeNumber('--connections', 1, 16),
      1,
    )
    .option(
      '--inject-anomalies <rate>',
      'inject labelled incidents, about RATE of each type per pair per 30 simulated days; labels go to inventory.incident_labels',
      nonNegativeNumber,
    )
    .option(
      '--rate <n>',
      "events per second (kafka); above the catalogue's natural trade, a time-lapse stamped in simulated time (needs --count or --duration)",
      positiveNumber,
    )
    .option('--count <n>', 'stop after this many events (kafka)', wholeNumber('--count', 1))
    .option('--duration <s>', 'stop after this many seconds (kafka)', positiveNumber)
    .option(
      '--burst',
      'a peak-hour spike (kafka): stamp events with the wall clock at whatever --rate, where the rate rules may rightly fire',
    )
    .option(
      '--seed <n>',
      'random seed: the same seed gives the same data',
      wholeNumber('--seed', -(2 ** 31), 2 ** 31 - 1),
      42,
    )
    .option('--json', 'print one JSON summary (rows, seconds, rows_per_s)')
    .action(async (flags: GenerateFlags, command: Command) => {
      if (flags.to === 'postgres') {
        for (const kafkaOnly of ['count', 'duration', 'burst'] as const) {
          if (command.getOptionValueSource(kafkaOnly) === 'cli') {
            throw new UsageError(`--${kafkaOnly} applies to --to kafka only`);
          }
        }
      } else {
        for (const postgresOnly of ['rows', 'connections'] as const) {
          if (command.getOptionValueSource(postgresOnly) === 'cli') {
            throw new UsageError(`--${postgresOnly} applies to --to postgres only`);
          }
        }
      }
      const config = loadConfig();
      if (flags.to === 'postgres') await toPostgres(flags, config);
      else await toKafka(flags, config);
    });
}
