import type { Knex, Logger } from '../platform/index.js';
import { InvalidInputError } from '../platform/index.js';
import type { Dag, ResolvedTask, TaskServices } from './dag.js';
import { mapInstanceId } from './mapping.js';
import { runTry, type TryInput, type TryResult } from './runner.js';
import { SkipTaskError } from './taskOutcomes.js';

export interface LocalRunResult {
  outputs: Record<string, unknown>;
  failed: Record<string, Error>;
  /**
   * Tasks that skipped themselves, or were not run because an upstream task failed or was skipped
   * (or a mapped one's list was empty).
   */
  skipped: string[];
  durationsMs: Record<string, number>;
}

type TaskEnd = (taskId: string, result: { ok: boolean; output?: unknown; durationMs: number }) => void;

/**
 * Runs every task of one DAG run in this process, with nothing recorded and no queues (like
 * Airflow's `dag.test()`): each task through `runTry`, so with the context, params validation and
 * output rules of a worker; the tasks whose upstream tasks all succeeded run side by side, and a
 * task downstream of a failure is skipped. A mapped task runs its instances side by side (each
 * reported to `onTaskEnd` by its instance id): its output is the list of theirs, and it fails
 * with the first instance that fails. For task-logic tests and benchmarks.
 */
export async function runDagInProcess(
  dag: Dag,
  env: { db: Knex; services: TaskServices; logger: Logger },
  run: { start: Date; end: Date; conf?: Record<string, unknown> },
  onTaskEnd?: TaskEnd,
): Promise<LocalRunResult> {
  const result: LocalRunResult = { outputs: {}, failed: {}, skipped: [], durationsMs: {} };
  const pending = new Set(dag.tasks.map((t) => t.id));
  while (pending.size > 0) {
    const blocked = (u: string) => u in result.failed || result.skipped.includes(u);
    for (const t of dag.tasks)
      if (pending.has(t.id) && t.upstream.some(blocked)) {
        pending.delete(t.id);
        result.skipped.push(t.id);
      }
    const ready = dag.tasks.filter((t) => pending.has(t.id) && t.upstream.every((u) => u in result.outputs));
    await Promise.all(
      ready.map(async (task) => {
        pending.delete(task.id);
        const input: TryInput = {
          dag,
          task,
          runId: 0,
          tryNumber: 1,
          runType: 'manual',
          logicalDate: run.start,
          dataIntervalStart: run.start,
          dataIntervalEnd: run.end,
          conf: run.conf ?? {},
          upstream: Object.fromEntries(task.upstream.map((u) => [u, result.outputs[u]])),
        };
        if (task.mapOver !== undefined) return runMapped(task, input, env, result, onTaskEnd);
        const r = await runTry(input, env);
        record(task.id, r, result, onTaskEnd);
      }),
    );
  }
  return result;
}

function record(id: string, r: TryResult, result: LocalRunResult, onTaskEnd?: TaskEnd): void {
  result.durationsMs[id] = r.durationMs;
  if (r.ok) result.outputs[id] = r.output;
  else if (r.error instanceof SkipTaskError) result.skipped.push(id);
  else result.failed[id] = r.error;
  onTaskEnd?.(id, r.ok ? { ok: true, output: r.output, durationMs: r.durationMs } : r);
}

async function runMapped(
  task: ResolvedTask,
  input: TryInput,
  env: { db: Knex; services: TaskServices; logger: Logger },
  result: LocalRunResult,
  onTaskEnd?: TaskEnd,
): Promise<void> {
  const list = input.upstream[task.mapOver!];
  if (!Array.isArray(list)) {
    result.failed[task.id] = new InvalidInputError(
      `cannot map over upstream '${task.mapOver}': its output is ${list === null ? 'null' : typeof list}, not a list`,
    );
    return;
  }
  if (list.length === 0) {
    result.skipped.push(task.id);
    return;
  }
  const started = performance.now();
  const tries = await Promise.all(
    list.map(async (_, i) => {
      const id = mapInstanceId(task.id, i);
      const r = await runTry({ ...input, instanceId: id }, env);
      record(id, r, { outputs: {}, failed: {}, skipped: [], durationsMs: {} }, onTaskEnd);
      return r;
    }),
  );
  result.durationsMs[task.id] = performance.now() - started;
  const failed = tries.findIndex((r) => !r.ok);
  if (failed >= 0) {
    const r = tries[failed] as Extract<TryResult, { ok: false }>;
    result.failed[task.id] = r.error;
  } else {
    result.outputs[task.id] = tries.map((r) => (r.ok ? r.output : null));
  }
}
