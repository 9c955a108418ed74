import { ANOMALY_TYPES } from '../rules/index.js';

/**
 * Who writes `analytics.alerts` (its `source` column): the stream sidecar, the low_stock_alerts
 * DAG and the data_quality DAG. The values are stored; never rename one.
 */
export const ALERT_SOURCES = {
  streaming: 'streaming',
  lowStock: 'low_stock_alerts',
  dataQuality: 'data_quality',
} as const;
export type AlertSource = (typeof ALERT_SOURCES)[keyof typeof ALERT_SOURCES];

/** The stream's stock-out alert (SPEC §5). */
export const STOCKOUT_ALERT = 'STOCKOUT_RISK' as const;
/** The low_stock_alerts DAG's alert (SPEC §5). */
export const LOW_STOCK_ALERT = 'LOW_STOCK' as const;
/** The data_quality DAG's alert for a rule that newly fails (SPEC §6). */
export const DATA_QUALITY_ALERT = 'DATA_QUALITY' as const;

/** An order predicted to miss (or past) its promised dispatch (inventory/fulfilment/CONTRACT.md §10). */
export const LATE_DISPATCH_ALERT = 'LATE_DISPATCH_RISK' as const;
/** A carrier reported an exception on a shipment. */
export const SHIPMENT_EXCEPTION_ALERT = 'SHIPMENT_EXCEPTION' as const;
/** An audited change outside policy: an adjustment above its value limit, a master-data edit at night. */
export const AUDIT_POLICY_ALERT = 'AUDIT_POLICY' as const;

/**
 * The alerts the stream raises from the order, shipment and audit topics. Each is about one
 * subject that is not a pair (an order, a shipment, an audited entity): see `ALERT_SUBJECTS`.
 */
export const FULFILMENT_ALERT_TYPES = [
  LATE_DISPATCH_ALERT,
  SHIPMENT_EXCEPTION_ALERT,
  AUDIT_POLICY_ALERT,
] as const;
export type FulfilmentAlertType = (typeof FULFILMENT_ALERT_TYPES)[number];

/**
 * What a subject alert is about (`analytics.alerts.subject_type`, migration 0015), per type. The
 * values are stored; never rename one.
 */
export const ALERT_SUBJECTS = {
  [LATE_DISPATCH_ALERT]: 'order',
  [SHIPMENT_EXCEPTION_ALERT]: 'shipment',
  [AUDIT_POLICY_ALERT]: 'audit_entity',
} as const satisfies Record<FulfilmentAlertType, string>;
export type AlertSubjectType = (typeof ALERT_SUBJECTS)[FulfilmentAlertType];

/**
 * Every `alert_type`: the three above and, from the stream, one per anomaly rule (SPEC §7, named
 * in inventory/rules) and the three fulfilment alerts.
 */
export const ALERT_TYPES = [
  STOCKOUT_ALERT,
  LOW_STOCK_ALERT,
  DATA_QUALITY_ALERT,
  ...ANOMALY_TYPES,
  ...FULFILMENT_ALERT_TYPES,
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** The alert types the inventory stream raises per pair: stock-out risk and the anomaly rules. */
export const STREAM_ALERT_TYPES = [STOCKOUT_ALERT, ...ANOMALY_TYPES] as const;
export type StreamAlertType = (typeof STREAM_ALERT_TYPES)[number];

/**
 * Instant alerts: each detection is an event, and the incident resolves once none has come for
 * `ANOMALY_QUIET_MS` (the anomaly rules, and an out-of-policy audit change of one entity).
 */
export const QUIET_ALERT_TYPES: readonly AlertType[] = [...ANOMALY_TYPES, AUDIT_POLICY_ALERT];
