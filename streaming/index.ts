/**
 * The streaming sidecar (SPEC §3, §7): consumes `inventory-events` in a consumer group,
 * validates and applies each event effectively-once to PostgreSQL, keeps event-time windows,
 * detects anomalies and raises alerts.
 */
export { startStreaming, type StreamingOptions, type StreamingSidecar } from './sidecar.js';
export { runStreamingProcess } from './process.js';
export {
  validateMessage,
  DLQ_REASONS,
  type DlqReason,
  type NormalisedEvent,
  type Validation,
  WINDOW_KINDS,
  PartitionWindows,
  percentile,
  earliestOpenEventTime,
  type WindowKind,
  FULFILMENT_WINDOW_KINDS,
  fulfilmentWindowsOf,
  type FulfilmentWindowKind,
  combineRisk,
  detectAnomalies,
  type FiredRule,
} from './pipeline/index.js';
export {
  kafkajsBroker,
  memoryBroker,
  RebalanceError,
  type Broker,
  type MemoryBroker,
  type GroupConsumer,
  type Publisher,
  type InboundBatch,
  type InboundMessage,
  type OutboundMessage,
  type BatchControl,
  type TopicRecord,
} from './transport/index.js';
export { createStreamingMetrics, type StreamingMetrics } from './metrics.js';
/** The fulfilment watermark's tolerance: the eval replays the order and shipment topics in steps of it. */
export { PARTITION_SKEW_MS } from './pipeline/index.js';
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
/** The windows still open, recomputed from the ledger and marked provisional (the stream page). */
export {
  listOpenWindows,
  OPEN_WINDOW_LOOKBACK_MS,
  type OpenWindowRow,
  type WindowShape,
} from './store/listOpenWindows.js';
/** The fulfilment windows the stream keeps per warehouse (the fulfilment page). */
export { listFulfilmentWindows, type FulfilmentWindowRow } from './store/index.js';
/**
 * The ledger write alone (binary COPY) and the sidecar's session settings: the streaming bench's
 * bare pipeline, its in-run limit, writes with exactly these.
 */
export { copyLedger, SIDECAR_SESSION_SQL, type LedgerEvent } from './store/index.js';
/** The dead-letter topics for operators: list, show and replay (the CLI's `dlq` and the DLQ page). */
export {
  DEAD_LETTER_STREAMS,
  deadLetterTopics,
  deadLettersOf,
  parseDeadLetterStream,
  listDeadLetters,
  findDeadLetter,
  replayDeadLetters,
  type DeadLetter,
  type DeadLetterDeps,
  type DeadLetterFilter,
  type DeadLetterSources,
  type DeadLetterStream,
  type DeadLetterTopicNames,
  type DeadLetterTopics,
  type ReplayResult,
} from './deadLetters.js';
