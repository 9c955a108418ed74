/**
 * `npm run bench -- growth [--pairs N] [--rows-per-year N] [--years 1,2,5] [--out DIR] [--database NAME] [--keep]`
 *
 * Does the nightly work stay flat as history grows? One database of its own
 * (wareflow_bench_growth unless --database names another), one "now"; history is added backwards in time (bench/growthFill.ts),
 * first the newest year, then older ones, and at each size the same work is timed:
 * - the daily ETL for yesterday (every task, as the engine's runner executes them);
 * - the hourly aggregation of the last complete hour;
 * - a data-quality pass (the data_quality DAG over the last 30 minutes);
 * - the dashboard's pages, served over HTTP (the heaviest is the one reported).
 * Each DAG is run three times and the fastest run counts (later runs see the caches the nightly
 * run of a live warehouse would); a page is fetched once to warm up, then three times (median).
 * The load average at each size is printed beside its figures.
 * Metric = time at the largest size / time at the smallest, limit 1.2 (SPEC §8). The table and an
 * SVG plot of time relative to the smallest size go to --out.
 */
import { statfs, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createDagServices,
  dailyInventoryEtl,
  dataQuality,
  hourlyTransactionAggregation,
  ledgerTotalsMonth,
} from '../dags/index.js';
import { ensureDatabase, migrateLatest } from '../db/index.js';
import { runDagInProcess, type Dag, type TaskServices } from '../engine/index.js';
import { settleReceivedOrders } from '../inventory/analytics/index.js';
import { addMonths, advanceLedgerTotals, monthOf } from '../inventory/partitions/index.js';
import { createKnex, createLogger, loadConfig, type Knex, type Logger } from '../platform/index.js';
import { clearMonths, fillMasterData, fillMonth, settleHistory } from './growthFill.js';
import { growthSvg, type Series } from './growthPlot.js';
import { openPages, PAGES } from './growthPages.js';
import { printReport, result } from './report.js';

const log = (msg: string) => process.stderr.write(`[bench growth] ${msg}\n`);
const DAY_MS = 86_400_000;
/** Bytes one ledger row takes on disk with its indexes and id registry entry (measured: ~300). */
const BYTES_PER_ROW = 330;

export interface GrowthBenchOptions {
  pairs: number;
  rowsPerYear: number;
  years: number[];
  out: string;
  /** The database it drops, fills and (unless `keep`) drops again. */
  database: string;
  keep: boolean;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { s: (performance.now() - started) / 1000, value };
}

async function runDag(
  dag: Dag,
  env: { db: Knex; services: TaskServices; logger: Logger },
  i: { start: Date; end: Date },
) {
  const r = await runDagInProcess(dag, env, i);
  const [failed, error] = Object.entries(r.failed)[0] ?? [];
  // The data-quality gate may report facts (negative stock); only a crashed task fails the bench.
  if (failed && !/data-quality gate failed/.test(error!.message))
    throw new Error(`${dag.id}.${failed} failed: ${error!.message}`);
}

/** The fastest of three runs, in seconds: the machine's other work only ever adds time. */
async function best(fn: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) fastest = Math.min(fastest, (await timed(fn)).s);
  return fastest;
}

async function sizes(knex: Knex) {
  const { rows } = await knex.raw(`SELECT
    (SELECT count(*) FROM inventory.inventory_transactions)::bigint AS ledger_rows,
    pg_database_size(current_database())::bigint AS database_bytes,
    (SELECT sum(pg_total_relation_size(inhrelid))::bigint FROM pg_inherits
      WHERE inhparent = 'inventory.inventory_transactions'::regclass) AS ledger_bytes`);
  return {
    rows: Number(rows[0].ledger_rows),
    database: Number(rows[0].database_bytes),
    ledger: Number(rows[0].ledger_bytes),
  };
}

const GB = 1024 ** 3;

export async function run(o: GrowthBenchOptions): Promise<void> {
  const base = loadConfig();
  const url = new URL(base.DATABASE_URL);
  url.pathname = `/${o.database}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    SMTP_URL: '',
    KAFKA_TOPIC_SUFFIX: '.bench-growth',
  });
  // Errors only: the data-quality gate's findings (negative stock in generated data) are facts.
  const logger = createLogger({ level: 'error' });
  const admin = createKnex(new URL('/postgres', config.DATABASE_URL).toString(), { poolMax: 1 });
  await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [url.pathname.slice(1)]);
  await ensureDatabase(config.DATABASE_URL, (u) => createKnex(u, { poolMax: 1 }));
  const knex = createKnex(config.DATABASE_URL, { poolMax: 6, applicationName: 'bench-growth' });
  const services = await createDagServices(config, logger);
  const env = { db: knex, services: { inventory: services }, logger };
  const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const day = new Date(end.getTime() - DAY_MS).toISOString().slice(0, 10);
  const pages = await openPages(config, knex, logger);
  const measured: Measured = [];
  try {
    await migrateLatest(knex);
    await fillMasterData(knex, o.pairs);
    const shape = { pairs: o.pairs, rowsPerMonth: Math.round(o.rowsPerYear / 12), end };
    let filledMonths = 0;
    for (const years of [...o.years].sort((a, b) => a - b)) {
      const months = years * 12;
      const todo = Array.from({ length: months - filledMonths }, (_, k) =>
        addMonths(monthOf(end), -(filledMonths + k)),
      );
      const free = await statfs('/').then((s) => s.bavail * s.bsize);
      const need = todo.length * shape.rowsPerMonth * BYTES_PER_ROW;
      if (need > free * 0.8) {
        log(
          `stopping before ${years} years: it needs about ${(need / GB).toFixed(0)} GB, ${(free / GB).toFixed(0)} GB free`,
        );
        break;
      }
      log(`${years} years: filling ${todo.length} months (${todo.at(-1)} … ${todo[0]})`);
      const fill = await timed(async () => {
        await clearMonths(knex, todo);
        // Two months at a time: the machine's two cores.
        const queue = [...todo];
        const worker = async () => {
          for (let m = queue.shift(); m; m = queue.shift()) {
            const n = await fillMonth(knex, m, shape);
            log(`  ${m.slice(0, 7)}: ${n.toLocaleString()} rows`);
          }
        };
        await Promise.all([worker(), worker()]);
        await settleHistory(
          knex,
          { end, pairs: o.pairs },
          {
            settle: () => settleReceivedOrders(knex),
            advanceTotals: () => advanceLedgerTotals(knex, ledgerTotalsMonth({ now: end })),
          },
        );
      });
      filledMonths = months;
      const size = await sizes(knex);
      log(
        `${years} years: ${size.rows.toLocaleString()} ledger rows, ledger ${(size.ledger / GB).toFixed(1)} GB, database ${(size.database / GB).toFixed(1)} GB; filled in ${fill.s.toFixed(0)} s`,
      );
      const load = os.loadavg()[0]!;
      const times: Record<string, number> = {};
      times.daily_etl = await best(() =>
        runDag(dailyInventoryEtl, env, {
          start: new Date(`${day}T02:00:00Z`),
          end: new Date(Date.parse(`${day}T02:00:00Z`) + DAY_MS),
        }),
      );
      times.hourly_agg = await best(() =>
        runDag(hourlyTransactionAggregation, env, { start: new Date(end.getTime() - 3_600_000), end }),
      );
      times.data_quality = await best(() =>
        runDag(dataQuality, env, { start: new Date(end.getTime() - 1_800_000), end }),
      );
      for (const page of PAGES) times[`page ${page}`] = await pages.time(page);
      log(
        `${years} years: ${Object.entries(times)
          .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
          .join(', ')}`,
      );
      measured.push({ years, ...size, fillS: fill.s, load, times });
    }
    report(o, measured);
    await writeOutputs(o, measured);
  } finally {
    await pages.close();
    await services.close();
    await knex.destroy();
    if (!o.keep) await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [url.pathname.slice(1)]);
    await admin.destroy();
  }
}

/** What one history size measured: its sizes, fill time, load average and the times. */
type Measured = Array<{
  years: number;
  rows: number;
  database: number;
  ledger: number;
  fillS: number;
  load: number;
  times: Record<string, number>;
}>;

/** The page that takes longest at the largest size. */
function heaviestPage(m: Measured): string {
  const last = m.at(-1)!.times;
  return Object.keys(last)
    .filter((k) => k.startsWith('page '))
    .sort((a, b) => last[b]! - last[a]!)[0]!;
}

function report(o: GrowthBenchOptions, m: Measured): void {
  if (m.length === 0) throw new Error('no history size fitted on this disk');
  const first = m[0]!;
  const last = m.at(-1)!;
  const keys = Object.keys(first.times);
  const header = ['years', 'ledger rows', 'ledger GB', 'db GB', 'fill s', 'load', ...keys];
  const rows = m.map((x) => [
    String(x.years),
    x.rows.toLocaleString(),
    (x.ledger / GB).toFixed(1),
    (x.database / GB).toFixed(1),
    x.fillS.toFixed(0),
    x.load.toFixed(1),
    ...keys.map((k) => x.times[k]!.toFixed(3)),
  ]);
  rows.push(['ratio', '', '', '', '', '', ...keys.map((k) => (last.times[k]! / first.times[k]!).toFixed(2))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padStart(widths[i]!)).join('  '));
  const page = heaviestPage(m);
  const ratio = (k: string) => last.times[k]! / first.times[k]!;
  const tag = `${last.years}y_over_${first.years}y`;
  printReport(
    'growth',
    [
      result(`daily_etl_growth_${tag}`, ratio('daily_etl'), 'ratio', 1.2),
      result(`hourly_agg_growth_${tag}`, ratio('hourly_agg'), 'ratio', 1.2),
      result(`data_quality_growth_${tag}`, ratio('data_quality'), 'ratio', 1.2),
      result(`heaviest_page_growth_${tag}`, ratio(page), 'ratio', 1.2),
      result('largest_history_rows', last.rows, 'rows', 100_000_000),
    ],
    [
      `${o.pairs.toLocaleString()} pairs, ${o.rowsPerYear.toLocaleString()} ledger rows a year; largest history ${last.years} years: ${last.rows.toLocaleString()} rows, ledger ${(last.ledger / GB).toFixed(1)} GB, database ${(last.database / GB).toFixed(1)} GB`,
      `heaviest page at ${last.years} years: ${page.slice(5)} (${last.times[page]!.toFixed(3)} s)`,
      'each DAG time is the fastest of three runs; each page time the median of three fetches after one',
      `plot: ${path.join(o.out, 'growth.svg')}`,
    ],
  );
}

async function writeOutputs(o: GrowthBenchOptions, m: Measured): Promise<void> {
  if (m.length === 0) return;
  await mkdir(o.out, { recursive: true });
  const page = heaviestPage(m);
  const series: Series[] = [
    ['daily ETL', 'daily_etl'],
    ['hourly aggregation', 'hourly_agg'],
    ['data quality', 'data_quality'],
    [`heaviest page (${page.slice(5)})`, page],
  ].map(([label, key]) => ({
    label: label!,
    points: m.map((x) => ({ years: x.years, value: x.times[key!]! / m[0]!.times[key!]! })),
  }));
  await writeFile(path.join(o.out, 'growth.svg'), growthSvg(series, 1.2));
  await writeFile(path.join(o.out, 'growth.json'), JSON.stringify(m, null, 2));
}
