import { lockRun, runsWaitingOnPast } from './store/index.js';
import type { Engine } from './engine.js';
import { advanceRun } from './transitions.js';

/**
 * A scheduler pass over the runs whose `dependsOnPast` tasks wait for their previous run: once
 * that run's task has succeeded or been skipped (it ran, was cleared and ran again, was marked by
 * hand), the waiting run is advanced under its lock and the task queued. Only runs where such a
 * task could start now are looked at (its upstream tasks have ended); none when no DAG has one.
 * Returns the runs that had something to enqueue.
 */
export async function advanceRunsWaitingOnPast(
  engine: Engine,
): Promise<Array<{ runId: number; dagId: string; queued: number }>> {
  const moved: Array<{ runId: number; dagId: string; queued: number }> = [];
  for (const dag of engine.dags.values()) {
    const tasks = dag.tasks
      .filter((t) => t.dependsOnPast)
      .map((t) => ({ taskId: t.id, upstream: t.upstream }));
    if (tasks.length === 0) continue;
    for (const runId of await runsWaitingOnPast(engine.knex, dag.id, tasks)) {
      const queued = await engine.knex.transaction(async (trx) => {
        const run = await lockRun(trx, runId);
        return run?.state === 'running' ? (await advanceRun(trx, dag, runId)).queued : [];
      });
      await engine.queues.enqueue(queued);
      if (queued.length > 0) moved.push({ runId, dagId: dag.id, queued: queued.length });
    }
  }
  return moved;
}
