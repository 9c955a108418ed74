import type { Knex, Logger } from '../platform/index.js';
import type { Dag, TaskServices } from './dag.js';
import { runTry } from './runner.js';
import { SkipTaskError } from './taskOutcomes.js';

export interface LocalRunResult {
  outputs: Record<string, unknown>;
  failed: Record<string, Error>;
  /** Tasks that skipped themselves, or were not run because an upstream task failed or was skipped. */
  skipped: string[];
  durationsMs: Record<string, number>;
}

/**
 * Runs every task of one DAG run in this process, with nothing recorded and no queues (like
 * Airflow's `dag.test()`): each task through `runTry`, so with the context, params validation and
 * output rules of a worker; the tasks whose upstream tasks all succeeded run side by side, and a
 * task downstream of a failure is skipped. For task-logic tests and benchmarks.
 */
export async function runDagInProcess(
  dag: Dag,
  env: { db: Knex; services: TaskServices; logger: Logger },
  run: { start: Date; end: Date; conf?: Record<string, unknown> },
  onTaskEnd?: (taskId: string, result: { ok: boolean; output?: unknown; durationMs: number }) => void,
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
        const r = await runTry(
          {
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
          },
          env,
        );
        result.durationsMs[task.id] = r.durationMs;
        if (r.ok) result.outputs[task.id] = r.output;
        else if (r.error instanceof SkipTaskError) result.skipped.push(task.id);
        else result.failed[task.id] = r.error;
        onTaskEnd?.(task.id, r.ok ? { ok: true, output: r.output, durationMs: r.durationMs } : r);
      }),
    );
  }
  return result;
}
