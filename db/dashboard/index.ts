/** Read-only SQL behind the dashboard's alert, data-quality and stream pages (paginated, filterable). */
export { fetchPage, type Page, type PageRequest } from './page.js';
export { listAlerts, openAlertCounts, type AlertFilter, type AlertRow } from './listAlerts.js';
export {
  listDataQualityResults,
  listDataQualityRuns,
  type DataQualityFilter,
  type DataQualityResultRow,
  type DataQualityRunRow,
} from './dataQuality.js';
export {
  listStreamWindows,
  streamThroughput,
  listAnomalies,
  anomalyHistogram,
  type AnomalyBucket,
  type AnomalyRow,
  type PairFilter,
  type StreamWindowRow,
  type ThroughputPoint,
} from './stream.js';
