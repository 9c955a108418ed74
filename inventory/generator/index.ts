/**
 * Demo data for wareflow: master data, a year (or any window) of realistic inventory history
 * written to PostgreSQL in bulk, and a live event stream for Kafka. Everything is deterministic
 * for a seed.
 */
export {
  generateMasterData,
  MAX_SKUS,
  MAX_WAREHOUSES,
  type DemandProfile,
  type MasterData,
  type MasterDataOptions,
  type Product,
  type Warehouse,
} from './master.js';
export { generateHistory, estimateHistoryRows, type HistoryBatch, type HistoryOptions } from './history.js';
export { OPENING_STOCK_REFERENCE, type LevelRow, type TransactionRow } from './pair.js';
export type { OrderRow } from './orders.js';
export {
  DQ_FAULTS,
  INCIDENT_TYPES,
  countLabels,
  type DqFault,
  type IncidentLabel,
  type IncidentType,
} from './labels.js';
export { incidentTypesFor } from './incidents.js';
export {
  writeMasterData,
  writeHistory,
  generateToPostgres,
  ensureOpeningStock,
  historyWindow,
  type GenerateToPostgresOptions,
  type GenerateSummary,
  type WriteProgress,
} from './postgres.js';
export { liveEvents, toKafkaMessage } from './live.js';
export { LIVE_INCIDENT_TYPES, isInjected, type LiveInjection } from './liveIncidents.js';
export { createLabelSink, type LabelSink } from './labelSink.js';
export type { LiveLevel, LiveOptions } from './liveOptions.js';
export { eventsPerDay, naturalRate, planFeedTime, type FeedTime } from './rate.js';
export { publishToKafka, type PublishOptions, type PublishProgress, type PublishSummary } from './publish.js';
export { PEAK_HOURS, isOpen } from './shape.js';
export {
  countProducts,
  insertIncidentLabels,
  insertPurchaseOrders,
  LOADED_TABLES,
  loadLevels,
} from './store/index.js';
