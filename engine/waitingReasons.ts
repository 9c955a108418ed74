import type { Knex } from '../platform/index.js';
import type { TaskInstanceRow } from './store/index.js';
import type { Dag } from './dag.js';
import { pastStatesOf } from './pastStates.js';
import { evaluateRun } from './triggerRules.js';
import { foldMapped } from './mapping.js';

/** A task instance as pages and the API show it: its row and, while it waits, why. */
export type TaskInstanceDetail = TaskInstanceRow & {
  /**
   * Why it waits where its state alone does not say: `depends on past: run R's task T is failed`,
   * or a sensor's `condition not met after N pokes; next poke at T`. Null otherwise.
   */
  waiting_reason: string | null;
};

/**
 * The task instances of a running run with the reason each waits (the same rule `evaluateRun`
 * applies, so the page says what the scheduler decides); one extra query only when the DAG has
 * `dependsOnPast` tasks.
 */
export async function withWaitingReasons(
  knex: Knex,
  dag: Dag | undefined,
  run: { id: number; state: string },
  tasks: TaskInstanceRow[],
): Promise<TaskInstanceDetail[]> {
  const reasons = new Map<string, string>();
  for (const t of tasks) {
    if (t.state === 'up_for_reschedule')
      reasons.set(
        t.task_id,
        `sensor: condition not met after ${t.pokes} poke${t.pokes === 1 ? '' : 's'}` +
          (t.next_try_at ? `; next poke at ${t.next_try_at.toISOString()}` : ''),
      );
  }
  if (dag && run.state === 'running' && tasks.some((t) => t.state === 'none')) {
    const [past] = await pastStatesOf(knex, [{ dag, runId: run.id }]);
    if (past) {
      const views = new Map(tasks.map((t) => [t.task_id, { state: t.state, followed: t.followed }]));
      for (const w of evaluateRun(dag, foldMapped(dag, views), past).waitingOnPast)
        reasons.set(
          w.taskId,
          `depends on past: run ${w.runId}'s task ${w.taskId} is ${w.state === 'none' ? 'not started' : w.state}`,
        );
    }
  }
  return tasks.map((t) => ({ ...t, waiting_reason: reasons.get(t.task_id) ?? null }));
}
