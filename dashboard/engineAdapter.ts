import {
  audited,
  auditLog,
  cancelBackfill,
  cancelRun,
  cancelTask,
  clearTasks,
  getRunNotes,
  listPools,
  recordAudit,
  setRunNote,
  getRun,
  getAsset,
  getTaskLogs,
  listAssets,
  listBackfills,
  listDags,
  listRuns,
  markTask,
  queueNameFor,
  runStatesPerDay,
  setPaused,
  setPoolSlots,
  startBackfill,
  taskInstancesOfRecentRuns,
  triggerRun,
  type Engine,
} from '../engine/index.js';
import type { BackfillWithProgress, DashboardEngine, RunRow } from './engine.js';

/** Runs of one backfill the progress bar counts; a backfill has at most this many intervals shown. */
const BACKFILL_RUNS_LIMIT = 10_000;

/**
 * The dashboard's view of the engine, built only from the operation functions of
 * orchestrator/index.ts, so a trigger, clear or pause from a page is exactly the CLI's.
 */
export function engineOperations(engine: Engine): DashboardEngine {
  const runsOf = async (filter: Parameters<typeof listRuns>[1] & { backfillId?: number }) =>
    (await listRuns(engine, filter)) as RunRow[];

  const withProgress = async (b: Awaited<ReturnType<typeof listBackfills>>[number]) => {
    // The engine's listRuns passes the filter to its query, which can select one backfill's runs.
    const runs = await runsOf({ backfillId: b.id, limit: BACKFILL_RUNS_LIMIT });
    const progress = { success: 0, failed: 0, running: 0, cancelled: 0 };
    for (const r of runs) progress[r.state] += 1;
    return { ...b, progress } satisfies BackfillWithProgress;
  };

  return {
    async dagStates() {
      return (await listDags(engine)).map((d) => ({ dag_id: d.dag_id, is_paused: d.is_paused }));
    },
    async listRuns(filter) {
      // The engine pages by limit only: fetch up to offset + limit and cut (offset ≤ 1,000,000
      // by validation, but pages past the first few hundred runs are rare in practice).
      const rows = await runsOf({
        ...(filter.dagId ? { dagId: filter.dagId } : {}),
        ...(filter.state ? { state: filter.state } : {}),
        limit: filter.runType ? (filter.offset + filter.limit) * 4 : filter.offset + filter.limit,
      });
      const typed = filter.runType ? rows.filter((r) => r.run_type === filter.runType) : rows;
      return typed.slice(filter.offset, filter.offset + filter.limit);
    },
    async getRun(runId) {
      const detail = await getRun(engine, runId);
      if (!detail) return undefined;
      const { task_instances, ...run } = detail;
      return { run: run as RunRow, tasks: task_instances };
    },
    recentTaskInstances: (dagId, limit) => taskInstancesOfRecentRuns(engine, dagId, limit),
    runStatesByDay: (dagId, year) => runStatesPerDay(engine, dagId, year),
    async taskLogs(runId, taskId, tryNumber, afterId) {
      // The one call of the engine's log read; the engine reads only the lines after `afterId`.
      return getTaskLogs(engine, runId, taskId, {
        ...(tryNumber === undefined ? {} : { tryNumber }),
        ...(afterId === undefined ? {} : { afterId }),
      });
    },
    async triggerRun(dagId, conf) {
      return (await triggerRun(engine, dagId, { conf })) as RunRow;
    },
    async clearTasks(runId, options) {
      let taskIds = options.taskIds;
      if (options.onlyFailed) {
        const detail = await getRun(engine, runId);
        const failed = (detail?.task_instances ?? [])
          .filter((t) => t.state === 'failed' || t.state === 'upstream_failed')
          .map((t) => t.task_id)
          .filter((t) => !taskIds || taskIds.includes(t));
        // Nothing failed: clear nothing (the engine reads an empty list as "every task").
        if (failed.length === 0) return { cleared: [] };
        taskIds = failed;
      }
      return clearTasks(engine, runId, { ...(taskIds ? { taskIds } : {}), downstream: options.downstream });
    },
    markTask: (runId, taskId, state) => markTask(engine, runId, taskId, state),
    async cancel(runId, { taskId, by, reason }) {
      const request = { by, ...(reason ? { reason } : {}) };
      const r = taskId
        ? await cancelTask(engine, runId, taskId, request)
        : await cancelRun(engine, runId, request);
      return {
        run_state: r.runState,
        cancelled: r.cancelled.map((t) => ({ task_id: t.task_id, previous_state: t.previous_state })),
      };
    },
    async cancelBackfill(id, { by, reason, includeRunning }) {
      const r = await cancelBackfill(engine, id, { by, includeRunning, ...(reason ? { reason } : {}) });
      return { cancelled_runs: r.cancelledRuns, left_running: r.leftRunning };
    },
    setPaused: (dagId, paused) => setPaused(engine, dagId, paused),
    async startBackfill(request) {
      const { dagId, ...rest } = request;
      return startBackfill(engine, dagId, rest);
    },
    async listBackfills(filter) {
      const rows = await listBackfills(engine, filter.dagId ? { dagId: filter.dagId } : {});
      return Promise.all(rows.map(withProgress));
    },
    async getBackfill(id) {
      const row = (await listBackfills(engine, {})).find((b) => b.id === id);
      return row ? withProgress(row) : undefined;
    },
    audited: (entry, change, describe) => audited(engine, entry, change, describe),
    async recordAudit(entry) {
      await recordAudit(engine, entry);
    },
    auditLog: (filter, page) => auditLog(engine, filter, page),
    runNotes: (runIds) => getRunNotes(engine, runIds),
    setRunNote: (runId, note, by) => setRunNote(engine, runId, note, by),
    listAssets: () => listAssets(engine),
    getAsset: (assetKey) => getAsset(engine, assetKey),
    listPools: () => listPools(engine),
    setPoolSlots: (name, slots, options) => setPoolSlots(engine, name, slots, options),
    queueNames() {
      const pools = new Set<string>();
      for (const dag of engine.dags.values()) for (const t of dag.tasks) pools.add(t.pool);
      return [...pools].sort().map(queueNameFor);
    },
    registry: engine.metrics.registry,
  };
}
