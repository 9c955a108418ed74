/**
 * What the stream does with one batch, in order: `runner.ts` (chunks, offset fence, backoff) →
 * `chunk.ts` → `admit.ts` → `commit.ts` (ledger) → `dedupe.ts` → `detect.ts` → `commit.ts`
 * (outputs, topics, transaction) → `observe.ts`.
 */
export { Ingestor, ChunkRunner, type ChunkHandler, type ChunkRunnerOptions } from './runner.js';
export { fulfilmentHandler, type FulfilmentDeps, type FulfilmentTopic } from './fulfilmentChunk.js';
export { fulfilmentWatermark, isCaughtUp, PARTITION_SKEW_MS } from './fulfilmentWatermark.js';
export { lateDispatchInstant, type WatermarkSources } from './lateDispatchInstant.js';
export {
  FULFILMENT_WINDOW_KINDS,
  FulfilmentWindowRefresher,
  fulfilmentWindowsOf,
  markChangedWindows,
  refreshMarkedWindows,
  type FulfilmentWindowKind,
} from './fulfilmentWindows.js';
export type { IngestDeps, IngestOptions, IngestTotals } from './ingestOptions.js';
export { AlertMailer } from './alerts.js';
export { MetricCache } from './metricCache.js';
export { MasterData, type EventContext } from './enrich.js';
export {
  validateMessage,
  DLQ_REASONS,
  type DlqReason,
  type NormalisedEvent,
  type Validation,
} from './validate.js';
export {
  WINDOW_KINDS,
  PartitionWindows,
  percentile,
  earliestOpenEventTime,
  type WindowKind,
} from './windows.js';
export { combineRisk, detectAnomalies, resumeEpisodes, type FiredRule } from './anomalies.js';
export { PairState, dayKey } from './pairState.js';
export { causeId, uuidV5 } from './causeIds.js';
