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

/**
 * Every `alert_type`: the three above and, from the stream, one per anomaly rule (SPEC §7, named
 * in inventory/rules).
 */
export const ALERT_TYPES = [STOCKOUT_ALERT, LOW_STOCK_ALERT, DATA_QUALITY_ALERT, ...ANOMALY_TYPES] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

/** The alert types the stream raises: stock-out risk and the anomaly rules. */
export const STREAM_ALERT_TYPES = [STOCKOUT_ALERT, ...ANOMALY_TYPES] as const;
export type StreamAlertType = (typeof STREAM_ALERT_TYPES)[number];
