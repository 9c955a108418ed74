import type { Command } from 'commander';
import { createKnex, loadConfig } from '../../platform/index.js';
import { calibrationReport, type CalibrationReport } from '../../inventory/analytics/index.js';
import { stockoutCases } from '../../inventory/backtest/index.js';
import { printJson, printTable } from './arguments.js';
import { registerEvalAlertsCommand } from './evalAlerts.js';

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

  registerEvalAlertsCommand(evaluate);
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
