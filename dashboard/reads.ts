/** Read-only SQL behind the dashboard's alert, data-quality and stream pages (paginated, filterable). */
export { fetchPage, type Page, type PageRequest } from '../db/page.js';
export {
  listAlerts,
  openAlertCounts,
  type AlertFilter,
  type AlertRow,
} from '../inventory/alerts/store/listAlerts.js';
export {
  listDataQualityResults,
  listDataQualityRuns,
  type DataQualityFilter,
  type DataQualityResultRow,
  type DataQualityRunRow,
} from '../dags/data_quality/store/listDataQualityResults.js';
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
} from '../streaming/store/listStream.js';
