import type { Knex } from '../platform/index.js';
import { pastTaskStates, runsNextInChain } from './store/index.js';
import type { Dag } from './dag.js';
import { taskOfInstance } from './mapping.js';
import type { PastStates } from './triggerRules.js';

/** The tasks of a DAG that wait for their previous run (`dependsOnPast`). */
export function dependsOnPastTasks(dag: Dag): string[] {
  return dag.tasks.filter((t) => t.dependsOnPast).map((t) => t.id);
}

/**
 * What `evaluateRun` needs for the `dependsOnPast` tasks of each run (an existing run by id, or
 * one about to be created by its logical date): one statement for them all, and none when no DAG
 * among them has such a task (undefined for a run whose DAG has none).
 */
export async function pastStatesOf(
  knex: Knex | Knex.Transaction,
  runs: Array<{ dag: Dag; runId?: number; logicalDate?: Date }>,
): Promise<Array<PastStates | undefined>> {
  const asked = runs.map((r) => ({ ...r, taskIds: dependsOnPastTasks(r.dag) }));
  const wanted = asked.filter((r) => r.taskIds.length > 0);
  if (wanted.length === 0) return runs.map(() => undefined);
  const read = await pastTaskStates(
    knex,
    wanted.map((r) => ({
      dagId: r.dag.id,
      taskIds: r.taskIds,
      ...(r.runId === undefined ? {} : { runId: r.runId }),
      ...(r.logicalDate === undefined ? {} : { logicalDate: r.logicalDate }),
    })),
  );
  let next = 0;
  return asked.map((r) => {
    if (r.taskIds.length === 0) return undefined;
    const previous = read[next++];
    return new Map(
      r.taskIds.map((id) => {
        const state = previous?.states.get(id);
        return [id, previous && state ? { runId: previous.runId, state } : null];
      }),
    );
  });
}

/** A task instance that ended in a run: succeeded or skipped, by a try or by its trigger rule. */
export interface EndedTask {
  dag: Dag;
  runId: number;
  taskId: string;
}

/**
 * The runs the end of these task instances may let go on: where the same `dependsOnPast` task
 * waits for them in the next run (a mapped task's instance counts as its task, whose row the
 * store keeps in step). No query when none of them depends on its past, which is every task of
 * a DAG without such tasks. Each run comes with its DAG, for the caller to evaluate it again.
 */
export async function runsReleasedBy(
  knex: Knex | Knex.Transaction,
  ended: readonly EndedTask[],
): Promise<Array<{ runId: number; dag: Dag }>> {
  const byRun = new Map<number, { dag: Dag; taskIds: Set<string> }>();
  for (const e of ended) {
    const task = taskOfInstance(e.dag, e.taskId);
    if (!task?.dependsOnPast) continue;
    const entry = byRun.get(e.runId) ?? { dag: e.dag, taskIds: new Set<string>() };
    byRun.set(e.runId, entry);
    entry.taskIds.add(task.id);
  }
  if (byRun.size === 0) return [];
  const next = await runsNextInChain(
    knex,
    [...byRun].map(([runId, e]) => ({ runId, taskIds: [...e.taskIds] })),
  );
  return next.map((n) => ({ runId: n.runId, dag: byRun.get(n.after)!.dag }));
}
