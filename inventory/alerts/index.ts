/** Alerts (`analytics.alerts`): their severities and the reads behind the alert pages. */
export { SEVERITIES, severityRank, type Severity } from './severity.js';
export { listAlerts, openAlertCounts, type AlertFilter, type AlertRow } from './store/listAlerts.js';
