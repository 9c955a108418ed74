import { findIdleRuns, lockRun } from './store/index.js';
import type { Engine } from './engine.js';
import { advanceRun } from './transitions.js';

/**
 * Applies the trigger rules to runs nothing is advancing: every try has ended, yet the run is
 * still running, because the process that recorded the last result died before it decided what
 * follows (a finish is two statements). `backfillId` keeps to the runs of one backfill. Returns
 * the runs that had something to enqueue.
 */
export async function advanceIdleRuns(
  engine: Engine,
  options: { backfillId?: number } = {},
): Promise<Array<{ runId: number; dagId: string }>> {
  const moved: Array<{ runId: number; dagId: string }> = [];
  for (const r of await findIdleRuns(engine.knex, options)) {
    const dag = engine.dags.get(r.dag_id);
    if (!dag) continue;
    const queued = await engine.knex.transaction(async (trx) => {
      const run = await lockRun(trx, r.id);
      return run?.state === 'running' ? (await advanceRun(trx, dag, r.id)).queued : [];
    });
    await engine.queues.enqueue(queued);
    if (queued.length > 0) moved.push({ runId: r.id, dagId: dag.id });
  }
  return moved;
}
