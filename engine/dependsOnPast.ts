import { lockRun, runsWaitingOnPast, type QueuedTry } from './store/index.js';
import type { Dag } from './dag.js';
import type { Engine } from './engine.js';
import { runsReleasedBy, type EndedTask } from './pastStates.js';
import { advanceRun } from './transitions.js';

/**
 * A task with `dependsOnPast` starts once the same task of the previous run has succeeded or been
 * skipped. The end of that task lets the next run go on at once: a finishing try decides the next
 * run with its own (`finishTries`), and a task marked success by hand does it here
 * (`advanceRunsReleasedBy`). The scheduler's pass over the runs still waiting
 * (`advanceRunsWaitingOnPast`) is the safety net for whatever those missed: a process that died
 * in between, a clear that changed the previous run.
 */

/** Advances a running run under its lock and enqueues what it queued; returns how many. */
async function advanceLocked(engine: Engine, dag: Dag, runId: number): Promise<number> {
  const queued: QueuedTry[] = await engine.knex.transaction(async (trx) => {
    const run = await lockRun(trx, runId);
    return run?.state === 'running' ? (await advanceRun(trx, dag, runId)).queued : [];
  });
  await engine.queues.enqueue(queued);
  return queued.length;
}

/**
 * Advances the runs whose `dependsOnPast` tasks waited for these task instances, which just ended
 * (succeeded or skipped) outside a try: a mark by hand. No query when none depends on its past.
 * Returns how many tries it queued.
 */
export async function advanceRunsReleasedBy(engine: Engine, ended: EndedTask[]): Promise<number> {
  let queued = 0;
  for (const next of await runsReleasedBy(engine.knex, ended))
    queued += await advanceLocked(engine, next.dag, next.runId);
  return queued;
}

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
      const queued = await advanceLocked(engine, dag, runId);
      if (queued > 0) moved.push({ runId, dagId: dag.id, queued });
    }
  }
  return moved;
}
