/**
 * Alerts (`analytics.alerts`), the one owner of what an alert is: its sources and types, its
 * severities, its dedup key (in TypeScript and as SQL), its row types, the SQL that inserts it,
 * and the reads behind the alert pages. Every writer of the table goes through `store/`.
 */
export { SEVERITIES, severityRank, severityRankSql, type Severity } from './severity.js';
export {
  ALERT_SOURCES,
  ALERT_TYPES,
  DATA_QUALITY_ALERT,
  LOW_STOCK_ALERT,
  STOCKOUT_ALERT,
  STREAM_ALERT_TYPES,
  type AlertSource,
  type AlertType,
  type StreamAlertType,
} from './kinds.js';
export { dedupKey, dedupKeySql, sqlLiteral, type DedupSubject } from './dedupKey.js';
export type { AlertRow, NewAlert } from './alertRow.js';
export {
  INSERT_ALERTS_SQL,
  alertsParam,
  insertAlerts,
  insertAlertsSelect,
  type AlertSelect,
} from './store/insertAlerts.js';
export { listAlerts, openAlertCounts, type AlertFilter } from './store/listAlerts.js';
