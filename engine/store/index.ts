/** SQL of the orchestrator's state store (schema `orchestrator`), one module per operation. */
export * from './types.js';
export { syncDags, type DagMeta } from './syncDags.js';
export { setPaused, pausedDags } from './setPaused.js';
export { lockDag, lockBackfill, lockRun } from './locks.js';
export { insertRun, type NewRun } from './insertRun.js';
export { scheduleCursor } from './scheduleCursor.js';
export { claimTries, type ClaimedTry, type TryToClaim } from './claimTries.js';
export { heartbeat } from './heartbeat.js';
export { recordTries, type TryOutcome, type TryEnd } from './recordTries.js';
export { readRuns, type RunView } from './readRuns.js';
export { applyTransitions, type RunTransitions, type QueuedRow } from './applyTransitions.js';
export { type TaskLogLine } from './taskLogLines.js';
export { findStrandedTries, findZombies, findIdleRuns } from './findStranded.js';
export { resetTasks, forceTaskState, reopenRun } from './resetTasks.js';
export {
  listRuns,
  getRunRow,
  taskInstances,
  taskLogs,
  dagSummaries,
  stateCounts,
  type TaskLogRow,
} from './queries.js';
export { claimSlaMisses } from './slaMisses.js';
export {
  findRunningBackfill,
  insertBackfill,
  updateBackfill,
  getBackfill,
  listBackfills,
  runsInRange,
  adoptRun,
  type BackfillRow,
} from './backfills.js';
export { tryIsRunning } from './tryIsRunning.js';
