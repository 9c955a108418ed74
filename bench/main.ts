/**
 * `npm run bench -- NAME [options]`: runs one benchmark (bench/NAME.ts, which exports `run`). Each
 * prints a human table and, as its last line, the SPEC §8 JSON document. A bad option is one line
 * on stderr and exit code 2, as for `wareflow`.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

/** A number ≥ `min` (and ≤ `max`), whole unless `fraction`; commander prints the message. */
function number(min: number, max = Number.MAX_SAFE_INTEGER, fraction = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || (!fraction && !Number.isInteger(n)) || n < min || n > max)
      throw new InvalidArgumentError(
        `it must be a ${fraction ? 'number' : 'whole number'} ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}.`,
      );
    return n;
  };
}

/** A database name the bench may drop and create: lower-case letters, digits and underscores. */
function databaseName(value: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value))
    throw new InvalidArgumentError(
      'it must be lower-case letters, digits and underscores, e.g. wareflow_bench_growth.',
    );
  return value;
}

/** '1,2,5': two or more whole numbers of years, 1 to 10, increasing. */
function yearsList(value: string): number[] {
  const years = value.split(',').map((v) => Number(v.trim()));
  if (
    years.length < 2 ||
    years.some((y, i) => !Number.isInteger(y) || y < 1 || y > 10 || (i > 0 && y <= years[i - 1]!))
  )
    throw new InvalidArgumentError(
      'it must list two or more increasing whole numbers of years from 1 to 10, e.g. 1,2,5.',
    );
  return years;
}

/** '1,2,4': one or more increasing whole numbers of processes, 1 to `max`. */
function countList(max: number) {
  return (value: string): number[] => {
    const counts = value.split(',').map((v) => Number(v.trim()));
    if (counts.some((c, i) => !Number.isInteger(c) || c < 1 || c > max || (i > 0 && c <= counts[i - 1]!)))
      throw new InvalidArgumentError(
        `it must list increasing whole numbers of processes from 1 to ${max}, e.g. 1,2,4.`,
      );
    return counts;
  };
}

const program = new Command('wareflow-bench')
  .description('benchmarks: each figure is printed next to a limit measured in the same run (SPEC §8)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.split('\n')[0] + '\n') });

/**
 * A benchmark: the command `name`, what it measures, and its action, which imports the module
 * that runs it only once it is chosen. Its options follow.
 */
function benchmark(name: string, description: string, action: Parameters<Command['action']>[0]): Command {
  return program.command(name).description(description).action(action);
}

benchmark(
  'scheduler',
  'DAG handoff latency, task instances/s, a 365-day backfill, a chain of short tasks, production beside a backfill',
  async (options) => (await import('./scheduler.js')).run(options),
)
  .option('--scale <f>', 'fraction of the full workload, in (0, 1]', number(0.001, 1, true), 1)
  .option('--concurrency <n>', 'jobs at once per worker', number(1), 32)
  .option('--workers <n>', 'worker processes', number(1, 16), 2)
  .option(
    '--backfill-concurrency <n>',
    'runs at once of the 10,000-run backfill beside the production DAGs',
    number(1, 64),
    16,
  );

benchmark('etl', 'the daily ETL and the hourly aggregation over a bulk-filled ledger', async (options) =>
  (await import('./etl.js')).run(options),
)
  .option('--rows <n>', 'ledger rows', number(1), 10_000_000)
  .option('--pairs <n>', 'SKU × warehouse pairs', number(1), 50_000)
  .option('--days <n>', 'days of history', number(1), 365)
  .option('--keep', 'keep the database afterwards', false);

benchmark(
  'growth',
  'the daily ETL, hourly aggregation, a data-quality pass and the dashboard pages at 1, 2 and 5 years of history',
  async (options) => (await import('./growth.js')).run(options),
)
  .option('--pairs <n>', 'SKU × warehouse pairs', number(10), 1_000)
  .option('--rows-per-year <n>', 'ledger rows per year of history', number(12_000), 20_400_000)
  .option('--years <list>', 'history sizes in years, comma-separated', yearsList, [1, 2, 5])
  .option('--out <dir>', 'where the plot and the figures go', 'artifacts/bench/growth')
  .option('--database <name>', 'the database it fills (dropped first)', databaseName, 'wareflow_bench_growth')
  .option('--keep', 'keep the database afterwards', false);

benchmark(
  'streaming',
  'sidecar events/s against a bare kafkajs consumer, then alert latency at a steady rate',
  async (options) =>
    options.mixed
      ? (await import('./streamingMixed.js')).run(options)
      : (await import('./streaming.js')).run(options),
)
  .option('--events <n>', 'events to produce and process', number(10_000), 1_000_000)
  .option('--instances <n>', 'sidecar processes in one consumer group', number(1, 6), 1)
  .option('--latency-seconds <n>', 'length of the steady-rate phase', number(1), 20)
  .option('--rate <n>', 'events/s of the steady-rate phase', number(100), 5_000)
  .option('--skus <n>', 'products', number(1), 200)
  .option('--warehouses <n>', 'warehouses', number(1), 5)
  .option('--keep', 'keep the database and topics afterwards', false)
  .option(
    '--mixed',
    'instead, the mixed stream: inventory, order, shipment and audit topics at once (the feed’s proportions), against a bare drain and a bare pipeline of the same four topics',
    false,
  );

benchmark(
  'scaleout',
  'sidecar events/s and worker task instances/s at several process counts on one PostgreSQL, Redis and Kafka, with where the CPU goes',
  async (options) => (await import('./scaleOut.js')).run(options),
)
  .option('--sidecars <list>', 'sidecar process counts (the topic has 6 partitions)', countList(6), [1, 2, 4])
  .option('--workers <list>', 'worker process counts', countList(16), [1, 2, 4])
  .option('--events <n>', 'events the sidecars drain at each count', number(10_000), 300_000)
  .option('--runs <n>', 'runs of the 20-task wide DAG at each worker count', number(5), 200)
  .option('--concurrency <n>', 'tries at once per worker', number(1), 32);

benchmark(
  'stream-chunks',
  'CPU per event of the inventory chunk runner at full speed and at a steady rate, without a consumer; per statement with pg_stat_statements',
  async (options) => (await import('./streamChunks.js')).run(options),
)
  .option('--events <n>', 'events of the full-speed phase', number(10_000), 300_000)
  .option('--rate <n>', 'events/s of the steady phase', number(100), 5_000)
  .option('--seconds <n>', 'length of the steady phase', number(1), 20)
  .option('--tick-ms <n>', 'how often the steady phase hands over what arrived', number(10, 60_000), 200)
  .addOption(
    new Option(
      '--steady-levels <from>',
      "the steady traffic's starting stock: what the first phase left (as the streaming benchmark), or the opening's",
    )
      .choices(['stored', 'opening'])
      .default('stored'),
  )
  .option('--profile <dir>', "write each phase's CPU profile (V8) into this directory")
  .option('--skus <n>', 'products', number(1), 200)
  .option('--warehouses <n>', 'warehouses', number(1), 5)
  .option('--keep', 'keep the database and topics afterwards', false);

benchmark(
  'alerts',
  'wareflow eval alerts: per-detector precision and recall against 0.9, clean alert rate against 1, Brier against its baseline',
  async (options) => (await import('./alerts.js')).run(options),
)
  .option('--days <n>', 'days of labelled history', number(2), 365)
  .option('--clean-days <n>', 'days of clean history', number(1), 60)
  .option('--skus <n>', 'products', number(1), 50)
  .option('--warehouses <n>', 'warehouses', number(1), 3)
  .option('--seed <n>', 'random seed', number(0), 7)
  .option('--rate <r>', 'injected incidents per type, pair and 30 days', number(0.001, 30, true), 0.1)
  .option('--keep', 'keep the database afterwards', false);

benchmark(
  'chaos',
  'fault suite: each dependency fails under load; 0 lost, 0 doubled, recovery within a bound',
  async (options) => (await import('./chaos/index.js')).run(options),
)
  .option(
    '--scenario <name>',
    'run this scenario (repeatable; default all)',
    (v: string, all: string[] = []) => [...all, v],
  )
  .option('--quick', 'only the fast scenarios (those `npm test` runs)', false);

try {
  await program.parseAsync(process.argv);
} catch (thrown) {
  if (!(thrown instanceof CommanderError)) throw thrown;
  // Commander already printed its one-line message; help is not an error.
  process.exitCode = thrown.exitCode === 0 ? 0 : 2;
}
// A benchmark is over once its report is printed; an idle client socket or timer left open must
// not keep the process waiting.
process.exit(process.exitCode ?? 0);
