/**
 * Precision and recall of the stock-out alerts against their opening threshold (docs/SPEC.md §5):
 * the alert lifecycle replayed over a pair's stock checks for each candidate threshold, the
 * openings scored against the labelled stock-outs like `wareflow eval alerts` scores the real
 * alerts. Pure: the checks come from stockoutChecks.ts.
 */
import { calibrated, STOCKOUT_CALIBRATION, type StockoutCalibration } from '../analytics/index.js';
import { matchWindow, scoreDetectors, type Detection, type LabelCase } from './matchIncidents.js';

/** One assessment of a pair's stock, as a detector makes it (after an event, or at a check). */
export interface StockCheck {
  at: number;
  available: number;
  /** The model's z-score (`stockoutZ`); null without a demand to judge by (only nothing available alerts). */
  z: number | null;
  /**
   * Whether the probability may open an alert (its forecast rests on enough history,
   * `isStockoutAlert`); when false only nothing available opens one. Default true.
   */
  warns?: boolean;
  /** Low-stock checks only: the inventory position and the reorder point it resolves above. */
  position?: number;
  reorderPoint?: number;
}

export interface PairChecks {
  sku: string;
  warehouse_id: string;
  checks: readonly StockCheck[];
}

export interface AlertPolicy {
  /** Opens at this probability (or with nothing available). */
  openAt: number;
  /** Resolves with something available and the probability below this. */
  resolveBelow: number;
  /** Low-stock: also needs the position above the reorder point by this share of it (≥ 1 unit). */
  clearMargin?: number;
}

/** When the incidents of one pair open under `policy`, in its checks' order. */
export function alertOpenings(
  checks: readonly StockCheck[],
  policy: AlertPolicy,
  calibration: StockoutCalibration = STOCKOUT_CALIBRATION,
): number[] {
  const openings: number[] = [];
  let open = false;
  for (const c of checks) {
    const p = c.z === null ? 0 : calibrated(c.z, calibration);
    if (c.available <= 0 || (c.warns !== false && p >= policy.openAt)) {
      if (!open) openings.push(c.at);
      open = true;
    } else if (open && p < policy.resolveBelow) {
      const margin = policy.clearMargin;
      const rop = c.reorderPoint ?? 0;
      if (margin === undefined || (c.position ?? 0) > rop + Math.max(1, margin * rop)) open = false;
    }
  }
  return openings;
}

export interface ThresholdRow {
  threshold: number;
  alerts: number;
  tp: number;
  fp: number;
  precision: number | null;
  recall: number | null;
  /** Seconds from a stock-out's start to its first matching alert (negative: a warning ahead). */
  median_delay_s: number | null;
  /** Stock-outs with a matching alert before they started (a warning ahead). */
  warned_ahead: number;
}

/**
 * Precision and recall of `detector` (STOCKOUT or LOW_STOCK) for each threshold: the openings of
 * every pair under `policy` with that threshold, matched to `labels` (matchIncidents.ts rules).
 */
export function thresholdCurve(
  detector: 'STOCKOUT' | 'LOW_STOCK',
  pairs: readonly PairChecks[],
  labels: readonly LabelCase[],
  thresholds: readonly number[],
  policy: Omit<AlertPolicy, 'openAt'>,
  options: { dataEnd: number; calibration?: StockoutCalibration },
): ThresholdRow[] {
  return thresholds.map((threshold) => {
    const detections: Detection[] = [];
    for (const pair of pairs)
      for (const at of alertOpenings(pair.checks, { ...policy, openAt: threshold }, options.calibration))
        detections.push({ detector, at, places: [{ sku: pair.sku, warehouse_id: pair.warehouse_id }] });
    const [s] = scoreDetectors([detector], labels, detections, { dataEnd: options.dataEnd });
    return {
      threshold,
      alerts: detections.length,
      tp: s!.tp,
      fp: s!.fp,
      precision: s!.precision,
      recall: s!.recall,
      median_delay_s: s!.median_delay_s,
      warned_ahead: warnedAhead(detector, labels, detections, options.dataEnd),
    };
  });
}

/** Stock-out labels whose first matching detection came before the stock-out started. */
function warnedAhead(
  detector: string,
  labels: readonly LabelCase[],
  detections: readonly Detection[],
  dataEnd: number,
): number {
  const byPair = new Map<string, number[]>();
  for (const d of detections) {
    const key = `${d.places![0]!.sku}\u0000${d.places![0]!.warehouse_id}`;
    const list = byPair.get(key);
    if (list) list.push(d.at);
    else byPair.set(key, [d.at]);
  }
  let n = 0;
  for (const l of labels) {
    if (l.type !== 'STOCKOUT') continue;
    const [from] = matchWindow(detector, l, { dataEnd });
    const times = byPair.get(`${l.sku}\u0000${l.warehouse_id}`) ?? [];
    if (times.some((t) => t >= from && t < l.start)) n++;
  }
  return n;
}
