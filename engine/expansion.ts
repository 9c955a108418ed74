import type { Knex } from '../platform/index.js';
import {
  applyTransitions,
  expandMapped,
  readRuns,
  type QueuedRow,
  type RunTransitions,
} from './store/index.js';
import type { Dag } from './dag.js';
import { foldMapped, mapInstanceId } from './mapping.js';
import { evaluateRun } from './triggerRules.js';
import { pastStatesOf } from './pastStates.js';

/**
 * Applies what the trigger rules decided for runs (`applyTransitions`), expanding the mapped
 * tasks among those to queue: in the same transaction, each becomes its instances, which are
 * queued in its place. A decision that queues no mapped task is `applyTransitions` alone, in its
 * one statement. A run whose version moved on is left alone and reported stale, mapped tasks
 * included.
 */
export async function applyDecisions(
  knex: Knex | Knex.Transaction,
  changes: RunTransitions[],
  dagOf: (runId: number) => Dag,
): Promise<{ queued: QueuedRow[]; scheduled: string[]; stale: number[] }> {
  const mappedOf = (c: RunTransitions) =>
    c.queue.filter((id) => dagOf(c.runId).taskById.get(id)?.mapOver !== undefined);
  if (!changes.some((c) => mappedOf(c).length > 0)) return applyTransitions(knex, changes);
  const apply = async (trx: Knex.Transaction) => {
    const plain = changes.map((c) => {
      const mapped = new Set(mappedOf(c));
      return { ...c, queue: c.queue.filter((id) => !mapped.has(id)) };
    });
    // Share-locks the runs it applies to (see applyTransitions) until the expansion commits.
    const first = await applyTransitions(trx, plain);
    const queued = [...first.queued];
    const scheduled = new Set(first.scheduled);
    for (const c of changes) {
      const parents = mappedOf(c);
      if (parents.length > 0 && !first.stale.includes(c.runId)) {
        const expanded = await expand(trx, dagOf(c.runId), c.runId, parents);
        queued.push(...expanded.queued);
        for (const pool of expanded.scheduled) scheduled.add(pool);
      }
    }
    return { queued, scheduled: [...scheduled], stale: first.stale };
  };
  return knex.isTransaction ? apply(knex as Knex.Transaction) : knex.transaction(apply);
}

/**
 * Expands mapped tasks of one run and queues their instances. A task that ended at once (an
 * empty list skips it, a bad one fails it) lets its downstream tasks follow their trigger rules
 * now: the run is read and decided again in the same transaction.
 */
async function expand(
  trx: Knex.Transaction,
  dag: Dag,
  runId: number,
  parents: string[],
): Promise<{ queued: QueuedRow[]; scheduled: string[] }> {
  const expansions = await expandMapped(
    trx,
    runId,
    parents.map((id) => {
      const t = dag.taskById.get(id)!;
      return { taskId: id, over: t.mapOver!, pool: t.pool, retries: t.retries };
    }),
  );
  const instances = expansions.flatMap((e) =>
    Array.from({ length: e.map_count ?? 0 }, (_, i) => mapInstanceId(e.task_id, i)),
  );
  const { queued, scheduled } = await applyTransitions(trx, [
    { runId, queue: instances, settle: [], runState: 'running', previousRunState: 'running' },
  ]);
  if (expansions.every((e) => e.state === 'running')) return { queued, scheduled };
  const view = (await readRuns(trx, [runId])).get(runId);
  if (!view) return { queued, scheduled };
  const [past] = await pastStatesOf(trx, [{ dag, runId }]);
  const evaluation = evaluateRun(dag, foldMapped(dag, view.tasks), past);
  const next = await applyDecisions(
    trx,
    [{ runId, ...evaluation, previousRunState: view.state, version: view.version }],
    () => dag,
  );
  return { queued: [...queued, ...next.queued], scheduled: [...scheduled, ...next.scheduled] };
}
