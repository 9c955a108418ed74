import type { Knex } from '../platform/index.js';
import { pastTaskStates } from './store/index.js';
import type { Dag } from './dag.js';
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
