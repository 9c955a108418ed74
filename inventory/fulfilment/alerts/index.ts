/**
 * The fulfilment alerts' rules (CONTRACT.md §10): the late-dispatch forecast, what a shipment
 * exception asks of a person, and the audit policy — pure, over what the store reads.
 */
export {
  CURRENT_RATE_WINDOW_MS,
  FORECAST_HORIZON_MS,
  HISTORY_WINDOW_MS,
  MIN_PICKS_FOR_RATE,
  forecastDispatch,
  lateDispatchAlert,
  overdueAlert,
  queueOrder,
  verdictOf,
  type DispatchForecast,
  type QueuedOrder,
  type WarehouseFlow,
} from './lateDispatch.js';
export { EXCEPTION_POLICY, exceptionAlert } from './shipmentException.js';
export {
  DEFAULT_AUDIT_POLICY,
  HIGH_ADJUSTMENT_FACTOR,
  auditBreach,
  isNight,
  type AuditBreach,
  type AuditPolicy,
} from './auditPolicy.js';
export {
  addWorkingTime,
  localHour,
  subtractWorkingTime,
  workingTimeBetween,
  type WorkCalendar,
} from './workingTime.js';
