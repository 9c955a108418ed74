/**
 * The engine's state store (schema `orchestrator`): one module per SQL operation, named for what
 * it does. Only the engine imports it; the engine's public index re-exports its row types.
 */
export * from './types.js';
// The DAGs a process loaded, and their pause flags.
export { syncDags, type DagMeta } from './syncDags.js';
export { setPaused } from './setPaused.js';
export { pausedDags } from './pausedDags.js';
// Locks held for a transaction.
export { lockDag } from './lockDag.js';
export { lockBackfill } from './lockBackfill.js';
export { lockRun } from './lockRun.js';
// Runs: creation and scheduling.
export { insertRun, type NewRun } from './insertRun.js';
export { scheduleCursor } from './scheduleCursor.js';
export { claimSlaMisses } from './claimSlaMisses.js';
// Tries: claim, heartbeat, record, hand off.
export { claimTries, type ClaimedTry, type TryToClaim } from './claimTries.js';
export { tryIsRunning } from './tryIsRunning.js';
export { heartbeat } from './heartbeat.js';
export { taskMaxTries } from './taskMaxTries.js';
export { recordTries, type TryOutcome, type TryEnd } from './recordTries.js';
export { readRuns, type RunView } from './readRuns.js';
export { applyTransitions, type RunTransitions, type QueuedRow } from './applyTransitions.js';
// Mapped tasks: expansion into instances.
export { expandMapped, type Expansion, type MappedParent } from './expandMapped.js';
export { type TaskLogLine } from './taskLogLines.js';
export { appendTaskLogs } from './appendTaskLogs.js';
// The scheduler's sweep.
export { findStrandedTries } from './findStrandedTries.js';
export { findZombies } from './findZombies.js';
export { findIdleRuns } from './findIdleRuns.js';
// Sensors, branches and depends-on-past.
export { sensorPoke } from './sensorPoke.js';
export { pastTaskStates, type PastTarget } from './pastTaskStates.js';
export { runsWaitingOnPast } from './runsWaitingOnPast.js';
export { runsNextInChain, type EndedInChain } from './runsNextInChain.js';
// Changes by hand: clear and mark.
export { resetTasks } from './resetTasks.js';
export { reopenRun } from './reopenRun.js';
export { forceTaskState } from './forceTaskState.js';
// Cancel: task instances, runs, the run timeout.
export { cancelTasks, type CancelledTask } from './cancelTasks.js';
export { markRunCancelled } from './markRunCancelled.js';
export { findTimedOutRuns } from './findTimedOutRuns.js';
// Reads for the CLI, the dashboard and the metrics.
export { listRuns } from './listRuns.js';
export { getRunRow } from './getRunRow.js';
export { taskInstances } from './taskInstances.js';
export { taskLogs, type TaskLogQuery } from './taskLogs.js';
export { tryLogSummaries, type TryLogSummary } from './tryLogSummaries.js';
export { taskInstance } from './taskInstance.js';
export { dagSummaries } from './dagSummaries.js';
export { stateCounts } from './stateCounts.js';
export { lastFailedRuns } from './lastFailedRuns.js';
export { recentTaskInstances, type TaskInstanceInRun } from './recentTaskInstances.js';
export { runStatesByDay, type RunDayCount } from './runStatesByDay.js';
// Backfills.
export { findRunningBackfill } from './findRunningBackfill.js';
export { insertBackfill } from './insertBackfill.js';
export { updateBackfill } from './updateBackfill.js';
export { getBackfill } from './getBackfill.js';
export { listBackfills } from './listBackfills.js';
export { adoptRun } from './adoptRun.js';
export { backfillRunCounts } from './backfillRunCounts.js';
export { runsAt } from './runsAt.js';
// The audit log and run notes.
export { insertAudit, type AuditRow, type NewAuditRow } from './insertAudit.js';
export { listAuditLog, type AuditLogFilter } from './listAuditLog.js';
export { runNotes, lockRunNote, type RunNoteRow } from './runNotes.js';
export { writeRunNote } from './writeRunNote.js';
export { backfillRunsToCancel } from './backfillRunsToCancel.js';
// Pools: slots, grants, and why a task waits.
export { SLOT_HOLDING_STATES } from './slotHolding.js';
export { poolStats, type PoolRow } from './poolStats.js';
export { anySlotWaits } from './anySlotWaits.js';
export { setPool, syncPools } from './setPool.js';
export { slotCandidates, type SlotCandidate, type PoolUse } from './slotCandidates.js';
export { lockSlotGrants, grantSlots as grantSlotRows, type GrantedRow } from './grantSlots.js';
export { slotWaits, type SlotWaitRow } from './slotWaits.js';
// Assets: declarations, events, asset-triggered runs, reads.
export { syncAssets, type AssetDeclaration } from './syncAssets.js';
export { assetTriggeredDags, type AssetCondition } from './assetTriggeredDags.js';
export { unconsumedAssetEvents, type PendingAssetEvent } from './unconsumedAssetEvents.js';
export { recordAssetTriggers } from './recordAssetTriggers.js';
export { presentPartitions } from './presentPartitions.js';
export { triggeringAssetEvents } from './triggeringAssetEvents.js';
export { listAssets } from './listAssets.js';
export { assetHistory } from './assetHistory.js';
