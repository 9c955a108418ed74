import type { Knex } from 'knex';
import type { TaskState } from './types.js';

/** The state, try and pool of every task instance of a run. */
export async function taskStates(
  trx: Knex.Transaction | Knex,
  runId: number,
): Promise<Map<string, { state: TaskState; tryNumber: number; pool: string; nextTryAt: Date | null }>> {
  const { rows } = await trx.raw(
    `SELECT task_id, state, try_number, pool, next_try_at FROM orchestrator.task_instances WHERE run_id = ?`,
    [runId],
  );
  return new Map(
    rows.map(
      (r: {
        task_id: string;
        state: TaskState;
        try_number: number;
        pool: string;
        next_try_at: Date | null;
      }) => [r.task_id, { state: r.state, tryNumber: r.try_number, pool: r.pool, nextTryAt: r.next_try_at }],
    ),
  );
}
