import { InvalidInputError, type Knex } from '../platform/index.js';
import { applyTransitions, taskInstance, type QueuedTry } from './store/index.js';
import type { Dag } from './dag.js';
import { parseInstanceId, taskOfInstance } from './mapping.js';

/**
 * What a clear of `picked` (task ids, or mapped instances `task[i]`) resets: the tasks, with
 * everything downstream of them when asked; an instance alone, with only what is downstream of
 * its mapped task. `instances` are the listed instances whose mapped task is not cleared itself:
 * they run again at once, the rest of their task's instances untouched.
 */
export function planClear(
  dag: Dag,
  picked: readonly string[],
  downstream: boolean,
): { cleared: string[]; instances: string[] } {
  for (const id of picked) {
    if (!taskOfInstance(dag, id)) throw new InvalidInputError(`DAG '${dag.id}' has no task '${id}'`);
  }
  const tasks = picked.filter((id) => dag.taskById.has(id));
  let closure = tasks;
  if (downstream) {
    const roots = [
      ...tasks,
      ...picked.flatMap((id) => (dag.taskById.has(id) ? [] : taskOfInstance(dag, id)!.downstream)),
    ];
    closure = downstreamClosure(dag, roots);
  }
  const covered = new Set(closure);
  const instances = picked.filter((id) => !dag.taskById.has(id) && !covered.has(parseInstanceId(id).taskId));
  return { cleared: [...closure, ...new Set(instances)], instances: [...new Set(instances)] };
}

/** The tasks downstream of `roots`, roots included, in the DAG's order. */
export function downstreamClosure(dag: Dag, roots: readonly string[]): string[] {
  const seen = new Set(roots);
  const stack = [...roots];
  while (stack.length > 0) {
    for (const d of dag.taskById.get(stack.pop()!)!.downstream) {
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return dag.tasks.filter((t) => seen.has(t.id)).map((t) => t.id);
}

/**
 * Checks, before a clear resets them, that the listed mapped instances exist and belong to their
 * task's current expansion (a cleared task's leftover instances run only once it is expanded).
 */
export async function checkInstances(
  trx: Knex.Transaction,
  runId: number,
  instances: string[],
): Promise<void> {
  for (const id of instances) {
    const parent = await taskInstance(trx, runId, parseInstanceId(id).taskId);
    if (!(await taskInstance(trx, runId, id)))
      throw new InvalidInputError(`run ${runId} has no task instance '${id}'`);
    if (parent?.map_count === null || parent?.map_count === undefined)
      throw new InvalidInputError(
        `'${id}' belongs to no current expansion of '${parent?.task_id ?? id}': clear that task instead`,
      );
  }
}

/** Queues cleared mapped instances again (their task stays expanded; the caller holds the run). */
export async function queueInstances(
  trx: Knex.Transaction,
  dag: Dag,
  runId: number,
  instances: string[],
): Promise<QueuedTry[]> {
  if (instances.length === 0) return [];
  const { queued } = await applyTransitions(trx, [
    { runId, queue: instances, settle: [], runState: 'running', previousRunState: 'running' },
  ]);
  return queued.map((q) => ({
    runId,
    dagId: dag.id,
    taskId: q.task_id,
    pool: q.pool,
    tryNumber: q.try_number,
    tryKey: q.try_key,
  }));
}
