/**
 * `wareflow eval alerts`: a clean data set, then the labelled one, each built by `buildDataset`;
 * the clean one gives the alert rate of ordinary traffic, the labelled one the per-detector scores
 * and the stock-out Brier score. The labelled data set stays in the database afterwards.
 */
import { calibrationReport, type CalibrationReport } from '../../inventory/analytics/index.js';
import {
  cleanAlertFigures,
  recordEvalRun,
  scoreIncidents,
  stockoutCases,
  type CleanAlertFigures,
  type IncidentScores,
} from '../../inventory/backtest/index.js';
import { forecastBacktest } from '../../inventory/forecast/index.js';
import type { Config, Knex } from '../../platform/index.js';
import { replayLiveHour, type LiveHourSummary } from './liveHour.js';
import { buildDataset, type DatasetOptions, type DatasetTimings, type Progress } from './replay.js';
import { evalWindow } from './window.js';

/**
 * Injection rate of the labelled live hour (per type per eligible pair per 30 simulated days): at
 * the catalogue's natural rate an hour is 1/720 of that, so 20 gives a few incidents of each type
 * among 150 pairs.
 */
export const LIVE_HOUR_RATE = 20;

export interface EvalAlertsOptions {
  days: number;
  cleanDays: number;
  skus: number;
  warehouses: number;
  seed: number;
  rate: number;
}

export interface EvalAlertsReport {
  detectors: Array<IncidentScores['detectors'][number]>;
  clean_alerts_per_100_pairs_day: number;
  stockout_brier: number | null;
  stockout_brier_baseline: number | null;
  /**
   * The demand forecast's rolling-origin backtest over the labelled data set (inventory/forecast),
   * its labelled incident days left out (docs/SPEC.md §5, "Backtest"); `forecast_all_days` has the
   * same scores over every day, and the seasonal-naive baseline's beside both.
   */
  forecast_mase: number | null;
  forecast_smape: number | null;
  forecast_baseline_mase: number | null;
  forecast_baseline_smape: number | null;
  forecast_all_days: {
    forecast_mase: number | null;
    forecast_smape: number | null;
    baseline_mase: number | null;
    baseline_smape: number | null;
  };
  clean: CleanAlertFigures & { days: number };
  dataset: {
    labelled: DatasetTimings;
    clean: DatasetTimings;
    live: LiveHourSummary;
    labels: number;
    stockout_cases: number;
  };
  seconds: { generate: number; stream_replay: number; dags: number; scoring: number; total: number };
}

/**
 * The stock-out backtest behind `stockout_brier`: the calibrated `stockout_probability` the daily
 * ETL stored, against whether each pair ran out within its lead time (as `eval stockout`).
 */
export async function stockoutBacktest(knex: Knex): Promise<CalibrationReport> {
  const cases = (await stockoutCases(knex)).filter((c) => c.probability !== null);
  return calibrationReport(cases.map((c) => ({ predicted: c.probability!, outcome: c.outcome })));
}

export async function runEvalAlerts(
  knex: Knex,
  config: Config,
  options: EvalAlertsOptions,
  progress: Progress = () => undefined,
): Promise<EvalAlertsReport> {
  const started = performance.now();
  const span = evalWindow();
  const to = span.historyEnd;
  const base: Omit<DatasetOptions, 'days' | 'rate'> = {
    skus: options.skus,
    warehouses: options.warehouses,
    seed: options.seed,
    to,
  };
  let scoringMs = 0;
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const value = await fn();
    scoringMs += performance.now() - t;
    return value;
  };

  const cleanOptions = { ...base, days: options.cleanDays, rate: 0 };
  const clean = await buildDataset(knex, config, cleanOptions, (p, d, t) => progress(`clean ${p}`, d, t));
  const cleanFigures = await timed(() =>
    cleanAlertFigures(knex, {
      pairs: clean.pairs,
      days: options.cleanDays,
    }),
  );
  await recordEvalRun(knex, { dataset: 'clean', options: cleanOptions, report: cleanFigures });

  const labelledOptions = { ...base, days: options.days, rate: options.rate };
  const labelled = await buildDataset(knex, config, labelledOptions, (p, d, t) =>
    progress(`labelled ${p}`, d, t),
  );
  const brier = await timed(() => stockoutBacktest(knex));
  const forecast = await timed(() => forecastBacktest(knex));
  progress('live hour', 0, 1);
  const live = await replayLiveHour(knex, config, {
    skus: options.skus,
    warehouses: options.warehouses,
    seed: options.seed,
    rate: LIVE_HOUR_RATE,
    start: span.liveHour.start,
  });
  progress('live hour', 1, 1);
  const scores = await timed(() => scoreIncidents(knex));

  const report: EvalAlertsReport = {
    detectors: scores.detectors,
    clean_alerts_per_100_pairs_day: cleanFigures.alerts_per_100_pair_days,
    stockout_brier: finite(brier.stockout_brier),
    stockout_brier_baseline: finite(brier.stockout_brier_baseline),
    forecast_mase: finite(forecast.forecast_mase),
    forecast_smape: finite(forecast.forecast_smape),
    forecast_baseline_mase: finite(forecast.baseline_mase),
    forecast_baseline_smape: finite(forecast.baseline_smape),
    forecast_all_days: {
      forecast_mase: finite(forecast.all_days.forecast_mase),
      forecast_smape: finite(forecast.all_days.forecast_smape),
      baseline_mase: finite(forecast.all_days.baseline_mase),
      baseline_smape: finite(forecast.all_days.baseline_smape),
    },
    clean: { ...cleanFigures, days: options.cleanDays },
    dataset: { labelled, clean, live, labels: scores.labels, stockout_cases: brier.cases },
    seconds: {
      generate: clean.generate_s + labelled.generate_s,
      stream_replay: clean.stream_s + labelled.stream_s + live.stream_s,
      dags: clean.dags_s + labelled.dags_s,
      scoring: scoringMs / 1000,
      total: (performance.now() - started) / 1000,
    },
  };
  await recordEvalRun(knex, { dataset: 'labelled', options: labelledOptions, report });
  return report;
}

const finite = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : x;
