/**
 * The orchestrator engine: DAG definitions, schedule math, state store, scheduler, executor,
 * backfills and operations. Generic: it knows nothing of inventory; a composition root hands it
 * the DAGs and the services their tasks need.
 */
/** A task throws it to fail at once, without further tries (see `isRetriable`). */
export { PermanentTaskError } from '../platform/index.js';
export {
  defineDag,
  task,
  DagDefinitionError,
  TRIGGER_RULES,
  type Dag,
  type DagDefinition,
  type Json,
  type MapContext,
  type OutputOf,
  type ResolvedTask,
  type RunType,
  type TaskContext,
  type TaskDef,
  type TaskLogger,
  type TaskOptions,
  type TaskServices,
  type TriggerRule,
} from './dag.js';
export { isTimeZone } from './dagGraph.js';
export { sensor, SensorTimeoutError, type PokeResult, type SensorOptions } from './sensor.js';
export { fileSensor, type FileSensorOptions } from './fileSensor.js';
export { sqlSensor, type SqlSensorOptions } from './sqlSensor.js';
export { branch, type BranchChoice } from './branching.js';
export { SkipTaskError, RescheduleTaskError, TryOutcomeSignal } from './taskOutcomes.js';
export type { SensorSettings } from './taskKinds.js';
export {
  asset,
  partitionKey,
  partitionsCovering,
  PARTITIONINGS,
  type Asset,
  type Outlet,
  type OutletSpec,
  type Partitioning,
} from './assets.js';
export {
  intervalsBetween,
  intervalStartingAt,
  latestEndedInterval,
  nextFireAfter,
  validateSchedule,
  type DataInterval,
} from './schedule.js';
export { createEngine, type Engine, type EngineOptions } from './engine.js';
export {
  createEngineMetrics,
  createSchedulerMetrics,
  type EngineMetrics,
  type SchedulerMetrics,
} from './metrics.js';
export { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler.js';
export {
  evaluateRun,
  FINAL_STATES,
  type PastStates,
  type RunEvaluation,
  type TaskView,
} from './triggerRules.js';
export {
  aggregateMapped,
  foldMapped,
  mapInstanceId,
  mapItemOf,
  parseInstanceId,
  taskOfInstance,
} from './mapping.js';
export { TaskQueues, queueNameFor, jobIdFor, bullPriority, type TaskJobData } from './queues.js';
export { failureOutcome, retryDelayMs, advanceRun } from './transitions.js';
export { finishTry, finishTries, type FinishResult, type TryFinish } from './finishTries.js';
export {
  runTry,
  TaskTimeoutError,
  TryCancelledError,
  WorkerShutdownError,
  MAX_OUTPUT_BYTES,
  type TryEnv,
  type TryInput,
  type TryResult,
} from './runner.js';
export { TryLog, type TaskLogSink, type TryLogOptions } from './tryLog.js';
export { createWorkerStore, type WorkerStore } from './workerStore.js';
export { runDagInProcess, type LocalRunResult } from './localRun.js';
export { sendAlert, taskFailedMail, slaMissMail, runTimedOutMail, type AlertMailer } from './alerts.js';
export {
  cancelRun,
  cancelTask,
  cancelTimedOutRuns,
  type CancelRequest,
  type CancelResult,
} from './cancel.js';
export { validateParams } from './params.js';
export {
  planBackfill,
  startBackfill,
  advanceBackfill,
  cancelBackfill,
  listBackfills,
  type BackfillRequest,
  type BackfillProgress,
} from './backfill.js';
export {
  listDags,
  setPaused,
  listRuns,
  getRun,
  getTaskLogs,
  getTaskLog,
  triggerRun,
  waitForRun,
  clearTasks,
  markTask,
  type DagSummary,
  type RunDetail,
} from './operations.js';
export { listAssets, getAsset, type AssetDetail, type AssetPartition } from './assetReads.js';
export { readTaskLog, type TaskLogView, type TryLogView } from './taskLog.js';
export { taskInstancesOfRecentRuns, runStatesPerDay } from './history.js';
export { TASK_STATES, RUN_STATES, TRY_EVENTS } from './store/index.js';
export type {
  AssetDeclarationRow,
  AssetEventRow,
  AssetReaderRow,
  AssetSummaryRow,
  TriggeringAssetEvent,
  DagRunRow,
  TaskInstanceRow,
  TaskInstanceInRun,
  RunDayCount,
  TaskState,
  RunState,
  TryOutcome,
  TaskLogRow,
  TaskLogLine,
  TaskLogQuery,
  TaskLogSource,
  TryEvent,
  BackfillRow,
  ClaimedTry,
  QueuedTry,
  TryToClaim,
  CancelledTask,
  PoolRow,
} from './store/index.js';
export {
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  AUDIT_SOURCES,
  audited,
  auditLog,
  cliActor,
  recordAudit,
  scrubDetail,
  type AuditActor,
  type AuditEntry,
  type AuditLogFilter,
  type AuditOutcome,
  type AuditRow,
  type AuditSource,
  type AuditStore,
  type AuditTarget,
} from './audit.js';
export { getRunNotes, noteLength, setRunNote, RUN_NOTE_MAX_CHARS, type RunNote } from './runNotes.js';
export {
  dagPools,
  getPool,
  grantSlots,
  listPools,
  setPoolSlots,
  SLOT_HOLDING_STATES,
  type PoolChange,
} from './pools.js';
export {
  explainWait,
  whyWaiting,
  withWaits,
  waitJson,
  WAIT_KINDS,
  type TaskInstanceDetail,
  type Wait,
  type WaitJson,
  type WaitFacts,
  type WaitKind,
} from './whyWaiting.js';
export { pickGrants, type GrantCandidate, type GrantPool } from './slotGrants.js';
export { effectiveWeights, WEIGHT_RULES, type PoolTaskOptions, type WeightRule } from './priority.js';
