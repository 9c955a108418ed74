/**
 * Alerts (`analytics.alerts`), the one owner of what an alert is: its sources and types, its
 * severities, its dedup key (in TypeScript and as SQL), its lifecycle (one open incident per
 * key, hysteresis, resolution, acknowledgement), its row types, the SQL that writes it, and the
 * reads behind the alert pages and the alert evaluation. Every writer of the table goes through
 * `store/`.
 */
export { SEVERITIES, severityRank, severityRankSql, type Severity } from './severity.js';
export {
  ALERT_SOURCES,
  ALERT_SUBJECTS,
  ALERT_TYPES,
  AUDIT_POLICY_ALERT,
  DATA_QUALITY_ALERT,
  FULFILMENT_ALERT_TYPES,
  LATE_DISPATCH_ALERT,
  LOW_STOCK_ALERT,
  QUIET_ALERT_TYPES,
  SHIPMENT_EXCEPTION_ALERT,
  STOCKOUT_ALERT,
  STREAM_ALERT_TYPES,
  type AlertSource,
  type AlertSubjectType,
  type AlertType,
  type FulfilmentAlertType,
  type StreamAlertType,
} from './kinds.js';
export { dedupKey, dedupKeySql, sqlLiteral, type DedupSubject } from './dedupKey.js';
export type { AlertRow, NewAlert, OpenAlertUpdate } from './alertRow.js';
export {
  ANOMALY_QUIET_MS,
  LATE_DISPATCH_CLEAR_MARGIN_MS,
  LATE_DISPATCH_OPEN_MARGIN_MS,
  LOW_STOCK_CLEAR_MARGIN,
  MAILED_SEVERITIES,
  RESOLUTIONS,
  STOCKOUT_ALERT_AT,
  STOCKOUT_RESOLVE_BELOW,
  STOCKOUT_WARNING_MIN_HISTORY_DAYS,
  detectionEffect,
  isMailed,
  isStockoutAlert,
  maxSeverity,
  type Resolution,
} from './lifecycle.js';
export {
  INSERT_ALERTS_SQL,
  UPDATE_OPEN_ALERTS_SQL,
  alertsParam,
  insertAlerts,
  insertAlertsSelect,
  insertableAtOnce,
  openUpdatesParam,
  updateOpenAlerts,
  type AlertSelect,
  type WrittenAlert,
} from './store/insertAlerts.js';
export {
  listAlertGroups,
  listAlerts,
  openAlertCounts,
  type AlertFilter,
  type AlertGroup,
} from './store/listAlerts.js';
export { loadOpenAlerts, type OpenAlert } from './store/openAlerts.js';
export {
  acknowledgeAlert,
  countOpenAlerts,
  listAlertLifecycles,
  resolveQuietAlerts,
  type AcknowledgeOutcome,
  type AlertLifecycle,
  type OpenAlertQuery,
} from './store/alertLifecycle.js';
