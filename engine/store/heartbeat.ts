import type { Knex } from 'knex';

/**
 * Marks every try a worker is running as alive, in one statement, and returns them: a try the
 * worker runs that is missing from the answer is no longer its own (cancelled, marked, cleared or
 * taken over), and the worker aborts it. A row another statement holds right now (the try's end
 * being recorded, a cancel) is answered as it stood and not waited for: the beat takes no lock it
 * would have to queue for, so it never deadlocks with a batch of ends recorded in another order.
 */
export async function heartbeat(
  knex: Knex,
  workerId: string,
): Promise<Array<{ run_id: number; task_id: string; try_number: number }>> {
  const { rows } = await knex.raw(
    `WITH mine AS (
       SELECT run_id, task_id, try_number FROM orchestrator.task_instances
        WHERE worker_id = ? AND state = 'running'),
     beat AS (
       UPDATE orchestrator.task_instances ti SET heartbeat_at = clock_timestamp()
         FROM (SELECT run_id, task_id FROM orchestrator.task_instances
                WHERE worker_id = ? AND state = 'running'
                  FOR UPDATE SKIP LOCKED) free
        WHERE ti.run_id = free.run_id AND ti.task_id = free.task_id)
     SELECT run_id, task_id, try_number FROM mine`,
    [workerId, workerId],
  );
  return rows;
}
