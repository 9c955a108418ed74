import type { Command } from 'commander';
import { ensureDatabase, migrateLatest } from '../../db/index.js';
import { ledgerFingerprint, ledgerIsEvalMade } from '../../inventory/backtest/index.js';
import { MAX_SKUS, MAX_WAREHOUSES } from '../../inventory/generator/index.js';
import { createKnex, loadConfig } from '../../platform/index.js';
import { UsageError } from '../errors.js';
import { runEvalAlerts, type EvalAlertsReport } from '../eval/run.js';
import { printJson, printTable, wholeNumber } from './arguments.js';

interface EvalAlertsFlags {
  days: number;
  cleanDays: number;
  skus: number;
  warehouses: number;
  seed: number;
  rate: number;
  replace?: boolean;
  json?: boolean;
}

function rateOption(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 30)
    throw new UsageError(`--rate must be a number above 0 and at most 30 (got ${value})`);
  return n;
}

const fixed = (x: number | null, digits = 3) => (x === null ? null : x.toFixed(digits));

/** `wareflow eval alerts`: registered under `eval` by registerEvalCommands. */
export function registerEvalAlertsCommand(evaluate: Command): void {
  evaluate
    .command('alerts')
    .description(
      'replay a labelled generated history through the stream and the DAGs, then score every detector against the labels',
    )
    .option('--days <n>', 'days of labelled history', wholeNumber('--days', 2, 3660), 365)
    .option(
      '--clean-days <n>',
      'days of the clean (no injection) history',
      wholeNumber('--clean-days', 1, 3660),
      60,
    )
    .option('--skus <n>', 'number of products', wholeNumber('--skus', 1, MAX_SKUS), 50)
    .option('--warehouses <n>', 'number of warehouses', wholeNumber('--warehouses', 1, MAX_WAREHOUSES), 3)
    .option('--seed <n>', 'random seed', wholeNumber('--seed', 0), 7)
    .option('--rate <r>', 'injected incidents of each type per pair and 30 days', rateOption, 0.1)
    .option('--replace', 'replace a ledger that an earlier eval did not make')
    .option('--json', 'print one JSON document')
    .action(async (flags: EvalAlertsFlags) => {
      const config = loadConfig();
      await ensureDatabase(config.DATABASE_URL, (url) => createKnex(url, { poolMax: 1 }));
      const knex = createKnex(config.DATABASE_URL, { poolMax: 8, applicationName: 'wareflow-eval' });
      let report: EvalAlertsReport;
      try {
        await migrateLatest(knex);
        if (!flags.replace && !(await ledgerIsEvalMade(knex))) {
          const { rows } = await ledgerFingerprint(knex);
          throw new UsageError(
            `the database holds a ledger of ${rows} transactions that no eval made; pass --replace to replace it`,
          );
        }
        const tty = process.stderr.isTTY === true;
        report = await runEvalAlerts(
          knex,
          config,
          {
            days: flags.days,
            cleanDays: flags.cleanDays,
            skus: flags.skus,
            warehouses: flags.warehouses,
            seed: flags.seed,
            rate: flags.rate,
          },
          tty
            ? (phase, done, total) =>
                process.stderr.write(`\r${phase} ${done}/${total}${done === total ? '\n' : ''}`)
            : undefined,
        );
      } finally {
        await knex.destroy();
      }
      if (flags.json) return printJson(report);
      printReport(report);
    });
}

function printReport(r: EvalAlertsReport): void {
  const d = r.dataset.labelled;
  console.log(
    `labelled: ${d.pairs} pairs, ${d.from} – ${d.to}, ${d.events} events, ${r.dataset.labels} labels; ` +
      `clean: ${r.clean.days} days, ${r.dataset.clean.events} events; ` +
      `live hour: ${r.dataset.live.events} events (${r.dataset.live.injected_events} injected), ${r.dataset.live.labels} labels`,
  );
  printTable(
    [
      'detector',
      'precision',
      'recall',
      'f1',
      'median_s',
      'p95_s',
      'tp',
      'fp',
      'fn',
      'explained',
      'labels',
      'alerts',
      'judged on',
    ],
    r.detectors.map((x) => [
      x.type,
      fixed(x.precision),
      fixed(x.recall),
      fixed(x.f1),
      fixed(x.median_delay_s, 0),
      fixed(x.p95_delay_s, 0),
      x.tp,
      x.fp,
      x.fn,
      x.explained,
      x.labels,
      x.alerts,
      x.judged_on,
    ]),
  );
  console.log(
    `clean traffic: ${r.clean.alerts} alerts over ${r.clean.pair_days} pair-days = ${fixed(r.clean_alerts_per_100_pairs_day)} per 100 pair-days ` +
      `(${r.clean.stockout_alerts_matching_real_stockouts} stock-out alerts match a real stock-out); by type ${JSON.stringify(r.clean.by_type)}`,
  );
  const all = r.forecast_all_days;
  console.log(
    `stock-out Brier ${fixed(r.stockout_brier, 4)} (baseline ${fixed(r.stockout_brier_baseline, 4)}, ${r.dataset.stockout_cases} pair-days); ` +
      `forecast MASE ${fixed(r.forecast_mase)}, sMAPE ${fixed(r.forecast_smape, 2)} % (seasonal naive ${fixed(r.forecast_baseline_mase)}, ${fixed(r.forecast_baseline_smape, 2)} %), labelled incident days left out; ` +
      `all days ${fixed(all.forecast_mase)}, ${fixed(all.forecast_smape, 2)} % (seasonal naive ${fixed(all.baseline_mase)}, ${fixed(all.baseline_smape, 2)} %)`,
  );
  const s = r.seconds;
  console.log(
    `time: generate ${s.generate.toFixed(1)} s, stream replay ${s.stream_replay.toFixed(1)} s, DAGs ${s.dags.toFixed(1)} s, scoring ${s.scoring.toFixed(1)} s, total ${s.total.toFixed(1)} s`,
  );
}
