import type { Knex } from 'knex';

/**
 * Marks every try a worker is running as alive, in one statement, and returns them: a try the
 * worker runs that is missing from the answer is no longer its own (cancelled, marked, cleared or
 * taken over), and the worker aborts it.
 */
export async function heartbeat(
  knex: Knex,
  workerId: string,
): Promise<Array<{ run_id: number; task_id: string; try_number: number }>> {
  const { rows } = await knex.raw(
    `UPDATE orchestrator.task_instances SET heartbeat_at = clock_timestamp()
      WHERE worker_id = ? AND state = 'running'
      RETURNING run_id, task_id, try_number`,
    [workerId],
  );
  return rows;
}
