import type { Command } from 'commander';
import { createKnex, loadConfig } from '../../platform/index.js';
import { calibrationReport, type CalibrationReport } from '../../inventory/analytics/index.js';
import { stockoutCases } from '../../inventory/backtest/index.js';
import { forecastBacktest, type ForecastBacktestReport } from '../../inventory/forecast/index.js';
import { printJson, printTable } from './arguments.js';

const fixed = (x: number | null, digits = 4) => (x === null || Number.isNaN(x) ? null : x.toFixed(digits));

export function registerEvalCommands(program: Command): void {
  const evaluate = program.command('eval').description('measure forecasts and alerts against the history');

  evaluate
    .command('stockout')
    .description(
      'backtest the SPEC §5 stock-out risk of every processed pair-day against whether the pair ran out within its lead time',
    )
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const knex = createKnex(config.DATABASE_URL, { poolMax: 1, applicationName: 'wareflow-eval' });
      let report: CalibrationReport;
      try {
        report = calibrationReport(await stockoutCases(knex));
      } finally {
        await knex.destroy();
      }
      if (opts.json) return printJson(report);
      printStockoutReport(report);
    });

  evaluate
    .command('forecast')
    .description(
      'rolling-origin backtest of the daily demand forecast (Holt-Winters) against seasonal naive: MASE and sMAPE over every pair',
    )
    .option('--json', 'print one JSON document')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const knex = createKnex(config.DATABASE_URL, { poolMax: 1, applicationName: 'wareflow-eval' });
      let report: ForecastBacktestReport;
      try {
        report = await forecastBacktest(knex);
      } finally {
        await knex.destroy();
      }
      if (opts.json) return printJson(report);
      printForecastReport(report);
    });
}

function printForecastReport(r: ForecastBacktestReport): void {
  if (r.to === null) {
    console.log('no sales in the ledger: nothing to backtest (load data with wareflow generate)');
    return;
  }
  console.log(
    `${r.pairs} pairs (${r.pairs_scaled} with a MASE scale), ${r.origins} origins, history ${r.from} … ${r.to}; ` +
      "origins every 7 days after 56, horizon = lead time, training window = the daily ETL's",
  );
  printTable(
    ['model', 'MASE', 'sMAPE %'],
    [
      ['Holt-Winters (damped, weekly)', fixed(r.forecast_mase), fixed(r.forecast_smape, 2)],
      ['seasonal naive', fixed(r.baseline_mase), fixed(r.baseline_smape, 2)],
    ],
  );
  console.log(
    `Holt-Winters beats seasonal naive on ${fixed(r.pairs_better_than_baseline === null ? null : r.pairs_better_than_baseline * 100, 1)} % of pairs; ` +
      `80 % band held ${fixed(r.band_coverage === null ? null : r.band_coverage * 100, 1)} % of days; ${fixed(r.ms_per_origin, 3)} ms per origin`,
  );
}

function printStockoutReport(r: CalibrationReport): void {
  console.log(`pair-days ${r.cases}, ran out within lead time ${r.events} (base rate ${fixed(r.base_rate)})`);
  console.log(`Brier score ${fixed(r.stockout_brier)}`);
  console.log(`baseline (base rate for every pair-day) ${fixed(r.stockout_brier_baseline)}`);
  printTable(
    ['bin', 'predicted', 'count', 'mean_predicted', 'observed'],
    r.reliability.map((b) => [
      b.bin,
      `${b.lower.toFixed(1)}–${b.upper.toFixed(1)}`,
      b.count,
      fixed(b.mean_predicted, 3),
      fixed(b.observed_frequency, 3),
    ]),
  );
}
