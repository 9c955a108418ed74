/**
 * The streaming sidecar (SPEC §3, §7): consumes `inventory-events` in a consumer group,
 * validates and applies each event effectively-once to PostgreSQL, keeps event-time windows,
 * detects anomalies and raises alerts.
 */
export { startStreaming, type StreamingOptions, type StreamingSidecar } from './sidecar.js';
export { runStreamingProcess } from './process.js';
export {
  validateMessage,
  type DlqReason,
  type NormalisedEvent,
  type Validation,
} from './pipeline/validate.js';
export {
  WINDOW_KINDS,
  PartitionWindows,
  percentile,
  earliestOpenEventTime,
  type WindowKind,
} from './pipeline/windows.js';
export { combineRisk, detectAnomalies, type FiredRule } from './pipeline/anomalies.js';
export { kafkajsBroker } from './transport/kafkajsBroker.js';
export type {
  Broker,
  GroupConsumer,
  Publisher,
  InboundBatch,
  InboundMessage,
  OutboundMessage,
  BatchControl,
} from './transport/broker.js';
export { createStreamingMetrics, type StreamingMetrics } from './metrics.js';
export { runChecks, type HealthCheck } from './health.js';
/** The reads behind the dashboard's stream pages: closed windows, throughput and anomalies. */
export {
  listStreamWindows,
  streamThroughput,
  listAnomalies,
  anomalyHistogram,
  type AnomalyBucket,
  type PairFilter,
  type StreamWindowRow,
  type ThroughputPoint,
} from './store/listStream.js';
