/**
 * `npm run bench -- alerts [--days N] [--clean-days N] [--skus N] [--warehouses N] [--seed N] [--rate R] [--keep]`
 *
 * `wareflow eval alerts` in a database of its own (wareflow_bench_alerts): a clean and a labelled
 * history replayed through the stream and the DAGs (cli/eval), then per detector
 * `precision_<TYPE>` and `recall_<TYPE>` against the 0.9 target, `clean_alerts_per_100_pairs_day`
 * against 1, `stockout_brier` against the base-rate baseline measured on the same data set, and
 * `forecast_mase` (labelled incident days left out, docs/SPEC.md §5) against 1.
 * A detector without detections (precision null) or without labels (recall null) has no row.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runEvalAlerts } from '../cli/eval/run.js';
import { ensureDatabase, migrateLatest } from '../db/index.js';
import { createKnex, loadConfig } from '../platform/index.js';
import { printReport, result, type BenchResult } from './report.js';

export interface AlertsBenchOptions {
  days: number;
  cleanDays: number;
  skus: number;
  warehouses: number;
  seed: number;
  rate: number;
  keep: boolean;
}

const TARGET = 0.9;
const CLEAN_LIMIT = 1;

export async function run(options: AlertsBenchOptions): Promise<void> {
  const base = loadConfig();
  const url = new URL(base.DATABASE_URL);
  url.pathname = '/wareflow_bench_alerts';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'wareflow-bench-alerts-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    SMTP_URL: '',
  });
  await ensureDatabase(config.DATABASE_URL, (u) => createKnex(u, { poolMax: 1 }));
  const knex = createKnex(config.DATABASE_URL, { poolMax: 8, applicationName: 'bench-alerts' });
  try {
    await migrateLatest(knex);
    const tty = process.stderr.isTTY === true;
    const report = await runEvalAlerts(knex, config, options, (phase, done, total) => {
      if (tty || done === total)
        process.stderr.write(
          `${tty ? '\r' : ''}[bench alerts] ${phase} ${done}/${total}${done === total ? '\n' : ''}`,
        );
    });
    const results: BenchResult[] = [];
    const missing: string[] = [];
    for (const d of report.detectors) {
      if (d.precision === null) missing.push(`precision_${d.type} (no detections)`);
      else results.push(result(`precision_${d.type}`, d.precision, 'ratio', TARGET));
      if (d.recall === null) missing.push(`recall_${d.type} (no labels)`);
      else results.push(result(`recall_${d.type}`, d.recall, 'ratio', TARGET));
    }
    results.push(
      result('clean_alerts_per_100_pairs_day', report.clean_alerts_per_100_pairs_day, 'alerts', CLEAN_LIMIT),
    );
    if (report.stockout_brier !== null && report.stockout_brier_baseline !== null)
      results.push(result('stockout_brier', report.stockout_brier, 'brier', report.stockout_brier_baseline));
    if (report.forecast_mase !== null) results.push(result('forecast_mase', report.forecast_mase, 'mase', 1));
    const s = report.seconds;
    const d = report.dataset.labelled;
    printReport('alerts', results, [
      `labelled: ${d.pairs} pairs × ${options.days} days, ${d.events} events, ${report.dataset.labels} labels (seed ${options.seed}, rate ${options.rate}); clean: ${options.cleanDays} days`,
      `time: generate ${s.generate.toFixed(1)} s, stream replay ${s.stream_replay.toFixed(1)} s, DAGs ${s.dags.toFixed(1)} s, scoring ${s.scoring.toFixed(1)} s, total ${s.total.toFixed(1)} s`,
      ...(missing.length > 0 ? [`no figure: ${missing.join(', ')}`] : []),
    ]);
  } finally {
    await knex.destroy();
    await rm(dataDir, { recursive: true, force: true });
    if (!options.keep) {
      const admin = createKnex(new URL('/postgres', config.DATABASE_URL).toString(), { poolMax: 1 });
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [url.pathname.slice(1)]);
      await admin.destroy();
    }
  }
}
