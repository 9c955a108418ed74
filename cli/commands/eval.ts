import type { Command } from 'commander';
import { createKnex, loadConfig } from '../../platform/index.js';
import {
  calibrated,
  calibrationReport,
  normalCdf,
  STOCKOUT_CALIBRATION,
  type CalibrationReport,
} from '../../inventory/analytics/index.js';
import {
  fitIsotonic,
  stockoutCases,
  stockoutThresholdReport,
  zOfCase,
  type StockoutCase,
  type ThresholdReport,
} from '../../inventory/backtest/index.js';
import { STOCKOUT_ALERT_AT } from '../../inventory/alerts/index.js';
import { forecastBacktest, type ForecastBacktestReport } from '../../inventory/forecast/index.js';
import { UsageError } from '../errors.js';
import { printJson, printTable } from './arguments.js';
import { registerEvalAlertsCommand } from './evalAlerts.js';

const fixed = (x: number | null, digits = 4) => (x === null || Number.isNaN(x) ? null : x.toFixed(digits));

/** The backtest of both forecasts, and with --fit the calibration fitted on these cases. */
interface StockoutEvaluation {
  /** SPEC §5 `stockout_risk` (available only, uncalibrated), over the same pair-days. */
  stockout_risk: CalibrationReport;
  /** `stockout_probability` as the daily ETL stored it. */
  stockout_probability: CalibrationReport;
  /**
   * The probability this build computes from each row's stored inputs (its model and
   * `STOCKOUT_CALIBRATION`): the stored one unless the model or the knots changed since the ETL
   * ran, so new knots are scored on a held-out history without running its ETL again.
   */
  model_in_use: CalibrationReport;
  /** With --thresholds: the alerts' precision and recall against their opening threshold. */
  thresholds?: ThresholdReport;
  fit?: {
    cases: number;
    knots: ReadonlyArray<readonly [number, number]>;
    /** The raw normal model Φ(z), on-order included, before calibration. */
    raw_normal: CalibrationReport;
    /** The fitted mapping applied in-sample: for information, not a score. */
    fitted_in_sample: CalibrationReport;
  };
}

function evaluate(cases: StockoutCase[], fit: boolean): StockoutEvaluation {
  // Pair-days computed before stockout_probability existed are left out of both reports.
  const scored = cases.filter((c) => c.probability !== null);
  // This build's z of each row, from its stored inputs: the model in use and the fit read it.
  const zs = scored.map((c) => ({ z: zOfCase(c)!, outcome: c.outcome }));
  const out: StockoutEvaluation = {
    stockout_risk: calibrationReport(scored),
    stockout_probability: calibrationReport(
      scored.map((c) => ({ predicted: c.probability!, outcome: c.outcome })),
    ),
    model_in_use: calibrationReport(zs.map((c) => ({ predicted: calibrated(c.z), outcome: c.outcome }))),
  };
  if (fit) {
    const fitted = fitIsotonic(zs);
    out.fit = {
      ...fitted,
      raw_normal: calibrationReport(zs.map((c) => ({ predicted: normalCdf(c.z), outcome: c.outcome }))),
      fitted_in_sample: calibrationReport(
        zs.map((c) => ({ predicted: calibrated(c.z, fitted), outcome: c.outcome })),
      ),
    };
  }
  return out;
}

export function registerEvalCommands(program: Command): void {
  const evaluateCommand = program
    .command('eval')
    .description('measure forecasts and alerts against the history');

  evaluateCommand
    .command('stockout')
    .description(
      'backtest the stock-out probability (and the SPEC §5 stock-out risk) of every processed pair-day against whether the pair ran out within its lead time',
    )
    .option('--json', 'print one JSON document')
    .option(
      '--fit',
      "fit the probability's calibration constants on this database's history (a training set)",
    )
    .option(
      '--pool <database-urls...>',
      "with --fit: pool these databases' pair-days with DATABASE_URL's (several training years)",
    )
    .option(
      '--thresholds',
      "replay the stock-out alerts for each opening threshold and score them against the labels (an eval's data set)",
    )
    .action(async (opts: { json?: boolean; fit?: boolean; thresholds?: boolean; pool?: string[] }) => {
      const config = loadConfig();
      if (opts.pool && !opts.fit)
        throw new UsageError('--pool needs --fit: it pools training years for the fit');
      const cases: StockoutCase[] = [];
      let thresholds: ThresholdReport | undefined;
      // DATABASE_URL first: the thresholds are replayed on its data set alone.
      for (const [i, url] of [config.DATABASE_URL, ...(opts.pool ?? [])].entries()) {
        const knex = createKnex(url, { poolMax: 1, applicationName: 'wareflow-eval' });
        try {
          cases.push(...(await stockoutCases(knex)));
          if (i === 0 && opts.thresholds) thresholds = await stockoutThresholdReport(knex);
        } finally {
          await knex.destroy();
        }
      }
      const result = evaluate(cases, opts.fit ?? false);
      if (thresholds) result.thresholds = thresholds;
      if (opts.json) return printJson(result);
      printReport('stockout_probability (calibrated, on order counted)', result.stockout_probability);
      printReport(
        `model in use (${STOCKOUT_CALIBRATION.knots.length} knots), recomputed from each row's stored inputs`,
        result.model_in_use,
      );
      printReport('stockout_risk (SPEC §5 first round, for comparison)', result.stockout_risk);
      if (result.fit) {
        printReport('raw normal Φ(z), on order counted, before calibration', result.fit.raw_normal);
        printReport('fitted calibration, in-sample (not a score)', result.fit.fitted_in_sample);
        console.log(`fitted on ${result.fit.cases} pair-days, knots (z, p):`);
        console.log(JSON.stringify(result.fit.knots));
      }
      if (result.thresholds) printThresholds(result.thresholds);
    });

  evaluateCommand
    .command('forecast')
    .description(
      'rolling-origin backtest of the daily demand forecast (Holt-Winters) against seasonal naive: MASE and sMAPE over every pair, labelled incident days left out (and over all days)',
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

  registerEvalAlertsCommand(evaluateCommand);
}

function printForecastReport(r: ForecastBacktestReport): void {
  if (r.to === null) {
    console.log('no sales in the ledger: nothing to backtest (load data with wareflow generate)');
    return;
  }
  const a = r.all_days;
  console.log(
    `${r.pairs} pairs (${r.pairs_scaled} with a MASE scale), ${r.origins} origins, history ${r.from} … ${r.to}; ` +
      "origins every 7 days after 56, horizon = lead time, training window = the daily ETL's",
  );
  console.log(
    `scored: ${r.days} forecast days; ${r.incident_days} labelled incident days left out (shown again with them, "all days")`,
  );
  printTable(
    ['model', 'days', 'MASE', 'sMAPE %'],
    [
      ['Holt-Winters (damped, weekly)', 'scored', fixed(r.forecast_mase), fixed(r.forecast_smape, 2)],
      ['seasonal naive', 'scored', fixed(r.baseline_mase), fixed(r.baseline_smape, 2)],
      ['Holt-Winters (damped, weekly)', 'all days', fixed(a.forecast_mase), fixed(a.forecast_smape, 2)],
      ['seasonal naive', 'all days', fixed(a.baseline_mase), fixed(a.baseline_smape, 2)],
    ],
  );
  const percent = (x: number | null) => fixed(x === null ? null : x * 100, 1);
  console.log(
    `Holt-Winters beats seasonal naive on ${percent(r.pairs_better_than_baseline)} % of pairs; ` +
      `80 % band held ${percent(r.band_coverage)} % of days; ${fixed(r.ms_per_origin, 3)} ms per origin`,
  );
}

function printThresholds(r: ThresholdReport): void {
  console.log(
    `\nalerts against their opening threshold (in use: ${STOCKOUT_ALERT_AT}), ${r.pairs} pairs, ${r.labels} labelled stock-outs`,
  );
  for (const [title, rows] of [
    ['STOCKOUT_RISK (stream, after every event)', r.stockout],
    ['LOW_STOCK (low_stock_alerts, every 6 h)', r.low_stock],
  ] as const) {
    console.log(`\n${title}`);
    printTable(
      ['threshold', 'alerts', 'tp', 'fp', 'precision', 'recall', 'warned ahead', 'median delay h'],
      rows.map((x) => [
        x.threshold.toFixed(2),
        x.alerts,
        x.tp,
        x.fp,
        fixed(x.precision, 3),
        fixed(x.recall, 3),
        x.warned_ahead,
        fixed(x.median_delay_s === null ? null : x.median_delay_s / 3600, 1),
      ]),
    );
  }
}

function printReport(title: string, r: CalibrationReport): void {
  console.log(`\n${title}`);
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
