/**
 * Backtests of the analytics against the history they forecast (issue 17): the cases are read
 * here, in SQL; the scores are the pure functions of inventory/analytics (calibration.ts) and of
 * matchIncidents.ts (alerts against labelled incidents); the stock-out probability's calibration
 * is fitted here (fitCalibration.ts).
 */
export { stockoutCases, type StockoutCase } from './store/stockoutCases.js';
export { fitIsotonic, zOfCase, type ZCase } from './fitCalibration.js';
export {
  alertOpenings,
  thresholdCurve,
  type AlertPolicy,
  type PairChecks,
  type StockCheck,
  type ThresholdRow,
} from './alertThresholds.js';
export { lowStockChecks, streamChecks } from './stockoutReplay.js';
export { readStockHistory, type PairStockHistory } from './store/stockoutHistory.js';
export { CANDIDATE_THRESHOLDS, stockoutThresholdReport, type ThresholdReport } from './thresholdReport.js';
export {
  MATCH_GRACE_MS,
  dqDetector,
  explainedDetectors,
  matchWindow,
  placeMatches,
  quantile,
  scoreDetectors,
  targetType,
  type Detection,
  type DetectorScore,
  type LabelCase,
  type MatchOptions,
  type Place,
} from './matchIncidents.js';
export {
  EVAL_DETECTORS,
  FULFILMENT_DETECTORS,
  cleanAlertFigures,
  deliveredAlerts,
  scoreIncidents,
  type CleanAlertFigures,
  type IncidentScores,
} from './incidentReport.js';
export {
  analyzeWarehouse,
  clearWarehouse,
  ledgerFingerprint,
  ledgerIsEvalMade,
  loadOpeningStock,
  recordEvalRun,
  shiftStoredLevel,
  type LedgerFingerprint,
} from './store/evalRuns.js';
