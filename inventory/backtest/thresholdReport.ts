/**
 * `wareflow eval stockout --thresholds`: the stock-out alerts' precision and recall against their
 * opening threshold, on the labelled data set in the database (an eval's), for both detectors.
 * How `STOCKOUT_ALERT_AT` is chosen (docs/SPEC.md §5): on a training history, the lowest threshold
 * whose alerts are right nine times in ten; then checked on a held-out one.
 */
import { LOW_STOCK_CLEAR_MARGIN, STOCKOUT_RESOLVE_BELOW } from '../alerts/index.js';
import type { Knex } from '../../platform/index.js';
import { thresholdCurve, type ThresholdRow } from './alertThresholds.js';
import { lowStockChecks, streamChecks } from './stockoutReplay.js';
import { ledgerEnd, readLabelCases } from './store/incidentDetections.js';
import { readStockHistory } from './store/stockoutHistory.js';

/** The thresholds the report tries: 0.2 … 0.9 by 0.05. */
export const CANDIDATE_THRESHOLDS = Array.from(
  { length: 15 },
  (_, i) => Math.round((0.2 + i * 0.05) * 100) / 100,
);

export interface ThresholdReport {
  pairs: number;
  labels: number;
  /** The stream's STOCKOUT_RISK alerts, replayed after every event. */
  stockout: ThresholdRow[];
  /** The low_stock_alerts DAG's LOW_STOCK alerts, replayed every six hours. */
  low_stock: ThresholdRow[];
}

export async function stockoutThresholdReport(
  knex: Knex,
  thresholds: readonly number[] = CANDIDATE_THRESHOLDS,
): Promise<ThresholdReport> {
  const history = await readStockHistory(knex);
  const labels = await readLabelCases(knex);
  const dataEnd = (await ledgerEnd(knex)) ?? 0;
  let from = Infinity;
  for (const h of history) if (h.events.length > 0) from = Math.min(from, h.events[0]!.at);
  const stream = history.map((h) => ({ sku: h.sku, warehouse_id: h.warehouse_id, checks: streamChecks(h) }));
  const dag = history.map((h) => ({
    sku: h.sku,
    warehouse_id: h.warehouse_id,
    checks: lowStockChecks(h, from, dataEnd),
  }));
  return {
    pairs: history.length,
    labels: labels.filter((l) => l.type === 'STOCKOUT').length,
    stockout: thresholdCurve(
      'STOCKOUT',
      stream,
      labels,
      thresholds,
      { resolveBelow: STOCKOUT_RESOLVE_BELOW },
      { dataEnd },
    ),
    low_stock: thresholdCurve(
      'LOW_STOCK',
      dag,
      labels,
      thresholds,
      { resolveBelow: STOCKOUT_RESOLVE_BELOW, clearMargin: LOW_STOCK_CLEAR_MARGIN },
      { dataEnd },
    ),
  };
}
