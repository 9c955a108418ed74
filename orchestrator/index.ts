/**
 * The orchestrator engine: DAG definitions, schedule math, state store, scheduler, executor,
 * backfills and operations. Generic: it knows nothing of inventory; a composition root hands it
 * the DAGs and the services their tasks need.
 */
export {
  defineDag,
  task,
  DagDefinitionError,
  TRIGGER_RULES,
  type Dag,
  type DagDefinition,
  type Json,
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
export {
  intervalsBetween,
  intervalStartingAt,
  latestEndedInterval,
  nextFireAfter,
  validateSchedule,
  type DataInterval,
} from './schedule.js';
