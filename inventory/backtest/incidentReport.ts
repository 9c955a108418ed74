/**
 * The per-detector scores of `wareflow eval alerts` over the data set in the database, and the
 * alert rate of a clean one: the store's reads put through matchIncidents.ts.
 */
import type { Knex } from '../../platform/index.js';
import { ANOMALY_TYPES } from '../rules/index.js';
import {
  dqDetector,
  matchWindow,
  placeMatches,
  scoreDetectors,
  type Detection,
  type DetectorScore,
} from './matchIncidents.js';
import {
  ledgerEnd,
  readAnomalyDetections,
  readLabelCases,
  readQualityDetections,
  readTimedAlerts,
  type TimedAlert,
} from './store/incidentDetections.js';

/** The fulfilment detectors: each judged on its alerts in `analytics.alerts`, one per incident. */
export const FULFILMENT_DETECTORS = ['LATE_DISPATCH', 'SHIPMENT_EXCEPTION', 'AUDIT_POLICY'] as const;

/**
 * The detectors scored, one row each: the SPEC §7 rules (judged on `analytics.anomalies`, every
 * hit of any severity), STOCKOUT (the stream's STOCKOUT_RISK alerts), LOW_STOCK (the
 * low_stock_alerts DAG's alerts, judged against the same STOCKOUT labels), the four labelled
 * data-quality rules (judged on failing `analytics.data_quality_results`) and the fulfilment
 * alerts (`FULFILMENT_DETECTORS`).
 */
export const EVAL_DETECTORS = [
  ...ANOMALY_TYPES,
  'STOCKOUT',
  'LOW_STOCK',
  'DQ_DUPLICATE_TRANSACTIONS',
  'DQ_ON_HAND_MISMATCH',
  'DQ_INGESTION_GAP',
  'DQ_NEGATIVE_ON_HAND',
  ...FULFILMENT_DETECTORS,
] as const;

/**
 * The alerts that reached a person: every row of `analytics.alerts`. Each row is one incident
 * (docs/SPEC.md §5a: a repeat while it is open only counts in its `occurrences`), at the event
 * time it opened.
 */
export async function deliveredAlerts(knex: Knex): Promise<TimedAlert[]> {
  return readTimedAlerts(knex);
}

const placeOf = (a: TimedAlert) =>
  a.warehouse_id === null ? null : [{ sku: a.sku, warehouse_id: a.warehouse_id }];

/**
 * The alert's detector: STOCKOUT_RISK → STOCKOUT, LATE_DISPATCH_RISK → LATE_DISPATCH,
 * DATA_QUALITY → DQ_<RULE_ID>, else its type.
 */
function detectorOf(a: TimedAlert): string {
  if (a.alert_type === 'STOCKOUT_RISK') return 'STOCKOUT';
  if (a.alert_type === 'LATE_DISPATCH_RISK') return 'LATE_DISPATCH';
  if (a.alert_type === 'DATA_QUALITY') return dqDetector(a.rule_id ?? 'unknown');
  return a.alert_type;
}

export type DetectorRow = DetectorScore & {
  /** Alerts of this detector that reached a person (after the cooldown). */
  alerts: number;
  /** Which table the precision and recall were measured on. */
  judged_on: string;
};

export interface IncidentScores {
  detectors: DetectorRow[];
  labels: number;
  data_end: string | null;
}

const JUDGED_ON: Record<string, string> = {
  STOCKOUT: 'analytics.alerts (STOCKOUT_RISK, stream: one per incident, at its opening)',
  LOW_STOCK: 'analytics.alerts (LOW_STOCK, low_stock_alerts DAG)',
  LATE_DISPATCH: 'analytics.alerts (LATE_DISPATCH_RISK, one per order incident, at its opening)',
  SHIPMENT_EXCEPTION: 'analytics.alerts (SHIPMENT_EXCEPTION, one per shipment incident, at its opening)',
  AUDIT_POLICY: 'analytics.alerts (AUDIT_POLICY, one per entity incident, at its opening)',
};

const judgedAsAlert = new Set<string>([
  'STOCKOUT_RISK',
  'LOW_STOCK',
  'LATE_DISPATCH_RISK',
  'SHIPMENT_EXCEPTION',
  'AUDIT_POLICY',
]);

/** Scores every detector of `EVAL_DETECTORS` against the labels in the database. */
export async function scoreIncidents(knex: Knex): Promise<IncidentScores> {
  const labels = await readLabelCases(knex);
  const end = await ledgerEnd(knex);
  const alerts = await deliveredAlerts(knex);
  const detections: Detection[] = [
    ...(await readAnomalyDetections(knex)),
    ...(await readQualityDetections(knex)),
    ...alerts
      .filter((a) => judgedAsAlert.has(a.alert_type))
      .map((a) => ({ detector: detectorOf(a), at: a.at, places: placeOf(a), subject: a.subject_id })),
  ];
  const alertCounts = new Map<string, number>();
  for (const a of alerts) alertCounts.set(detectorOf(a), (alertCounts.get(detectorOf(a)) ?? 0) + 1);
  const scores = scoreDetectors(EVAL_DETECTORS, labels, detections, { dataEnd: end ?? 0 });
  return {
    detectors: scores.map((s) => ({
      ...s,
      alerts: alertCounts.get(s.type) ?? 0,
      judged_on:
        JUDGED_ON[s.type] ??
        (s.type.startsWith('DQ_') ? 'analytics.data_quality_results (failing)' : 'analytics.anomalies'),
    })),
    labels: labels.length,
    data_end: end === null ? null : new Date(end).toISOString(),
  };
}

export interface CleanAlertFigures {
  alerts: number;
  pair_days: number;
  alerts_per_100_pair_days: number;
  by_type: Record<string, number>;
  /** Stock-out alerts (STOCKOUT_RISK, LOW_STOCK) that match a real stock-out label of the data set. */
  stockout_alerts_matching_real_stockouts: number;
}

/** Alerts that reached a person per 100 pair-days, over the (clean) data set in the database. */
export async function cleanAlertFigures(
  knex: Knex,
  options: { pairs: number; days: number },
): Promise<CleanAlertFigures> {
  const alerts = await deliveredAlerts(knex);
  const labels = (await readLabelCases(knex)).filter((l) => l.type === 'STOCKOUT');
  const end = (await ledgerEnd(knex)) ?? 0;
  const byType: Record<string, number> = {};
  let matching = 0;
  for (const a of alerts) {
    const detector = detectorOf(a);
    byType[detector] = (byType[detector] ?? 0) + 1;
    if (detector !== 'STOCKOUT' && detector !== 'LOW_STOCK') continue;
    const hit = labels.some((l) => {
      const [from, to] = matchWindow(detector, l, { dataEnd: end });
      return a.at >= from && a.at <= to && placeMatches(placeOf(a), l);
    });
    if (hit) matching++;
  }
  const pairDays = options.pairs * options.days;
  return {
    alerts: alerts.length,
    pair_days: pairDays,
    alerts_per_100_pair_days: pairDays === 0 ? 0 : (100 * alerts.length) / pairDays,
    by_type: byType,
    stockout_alerts_matching_real_stockouts: matching,
  };
}
