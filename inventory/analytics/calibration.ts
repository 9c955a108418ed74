/**
 * Scoring a probability forecast against what happened (issue 17, item 4): the Brier score, a
 * reliability table and the base-rate baseline. Pure functions over (predicted, outcome) cases,
 * so the backtest's SQL only gathers the cases and every figure is computed here.
 */

/** One forecast and its outcome: `predicted` in [0, 1], `outcome` true when the event happened. */
export interface ForecastCase {
  predicted: number;
  outcome: boolean;
}

/** One bin of a reliability table. */
export interface ReliabilityBin {
  /** 0-based bin index; bin i holds predictions in [i/n, (i+1)/n), the last one includes 1. */
  bin: number;
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability of the bin's cases; null when the bin is empty. */
  mean_predicted: number | null;
  /** Share of the bin's cases whose event happened; null when the bin is empty. */
  observed_frequency: number | null;
}

/** Mean of (predicted − outcome)² over the cases: 0 is perfect, 1 is always certain and wrong. NaN without cases. */
export function brierScore(cases: readonly ForecastCase[]): number {
  if (cases.length === 0) return Number.NaN;
  let sum = 0;
  for (const c of cases) sum += (c.predicted - (c.outcome ? 1 : 0)) ** 2;
  return sum / cases.length;
}

/** Share of cases whose event happened. NaN without cases. */
export function baseRate(cases: readonly ForecastCase[]): number {
  if (cases.length === 0) return Number.NaN;
  return cases.filter((c) => c.outcome).length / cases.length;
}

/**
 * The naive baseline's Brier score: predict the overall base rate r for every case (a forecaster
 * who knows only how often pairs run out, in-sample). It equals r·(1 − r).
 */
export function baselineBrierScore(cases: readonly ForecastCase[]): number {
  const r = baseRate(cases);
  return brierScore(cases.map((c) => ({ predicted: r, outcome: c.outcome })));
}

/** The bin of a prediction among `bins` equal-width bins of [0, 1]; 1 falls into the last bin. */
export function reliabilityBinOf(predicted: number, bins = 10): number {
  return Math.max(0, Math.min(bins - 1, Math.floor(predicted * bins)));
}

/**
 * Reliability table: per equal-width bin of the prediction, how many cases, their mean prediction
 * and how often the event happened. A calibrated forecast has mean_predicted ≈ observed_frequency.
 */
export function reliabilityTable(cases: readonly ForecastCase[], bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const happened = new Array<number>(bins).fill(0);
  for (const c of cases) {
    const b = reliabilityBinOf(c.predicted, bins);
    count[b]! += 1;
    predicted[b]! += c.predicted;
    if (c.outcome) happened[b]! += 1;
  }
  return count.map((n, bin) => ({
    bin,
    lower: bin / bins,
    upper: (bin + 1) / bins,
    count: n,
    mean_predicted: n === 0 ? null : predicted[bin]! / n,
    observed_frequency: n === 0 ? null : happened[bin]! / n,
  }));
}

/** All the figures of a calibration backtest, with SPEC §8's names for the two scores. */
export interface CalibrationReport {
  cases: number;
  /** Cases whose event happened. */
  events: number;
  base_rate: number;
  stockout_brier: number;
  stockout_brier_baseline: number;
  reliability: ReliabilityBin[];
}

export function calibrationReport(cases: readonly ForecastCase[], bins = 10): CalibrationReport {
  return {
    cases: cases.length,
    events: cases.filter((c) => c.outcome).length,
    base_rate: baseRate(cases),
    stockout_brier: brierScore(cases),
    stockout_brier_baseline: baselineBrierScore(cases),
    reliability: reliabilityTable(cases, bins),
  };
}
