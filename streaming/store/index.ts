/** SQL of the streaming sidecar: the ledger write, its progress, and what the detectors read back. */
export { applyEvents, type AppliedEvents } from './applyEvents.js';
export type { LedgerEvent } from './ledgerEvent.js';
export { copyLedger } from './copyLedger.js';
export { loadLedgerEvents, type StoredEvent } from './loadLedgerEvents.js';
export { loadPartitionProgress, OffsetConflictError, type PartitionProgress } from './offsets.js';
export { writePartitionOffset } from './writePartitionOffset.js';
export { loadNextOffsets, loadStreamProgress, type StreamProgress } from './loadStreamProgress.js';
export { SIDECAR_SESSION_SQL } from './sidecarSession.js';
export { loadProducts, loadWarehouses, type ProductRow, type WarehouseRow } from './loadMasterData.js';
export { loadPairHistory, pairId, type PairHistory, type PairKey } from './loadPairHistory.js';
export { loadOpenOrders, type OpenOrder } from './loadOpenOrders.js';
export { loadForecasts, type StoredLeadTimeDemand } from './loadForecasts.js';
export { loadWindowEvents, type WindowEventRow } from './loadWindowEvents.js';
export {
  writeChunkOutputs,
  type ChunkOutputs,
  type ClosedWindow,
  type LateWindowCount,
} from './writeChunkOutputs.js';
/** The alert the chunk write inserts; owned by inventory/alerts, where it is called `NewAlert`. */
export type { NewAlert, NewAlert as AlertRow } from '../../inventory/alerts/index.js';
/** The anomaly the chunk write inserts; `NewAnomaly` in ./anomalyRow.ts (the stored row is `AnomalyRow` there). */
export type { NewAnomaly, NewAnomaly as AnomalyRow } from './anomalyRow.js';
export { loadDlqReplays, recordDlqReplays, type DlqReplayRow } from './dlqReplays.js';
export { writeFulfilmentWindows, type FulfilmentWindowKey } from './writeFulfilmentWindows.js';
export {
  lockFulfilmentWindowMarks,
  markFulfilmentWindows,
  tryLockFulfilmentWindowRefresh,
  readFulfilmentWindowMarks,
  deleteFulfilmentWindowMarks,
} from './fulfilmentWindowMarks.js';
export { listFulfilmentWindows, type FulfilmentWindowRow } from './listFulfilmentWindows.js';
