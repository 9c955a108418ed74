import type { Knex } from 'knex';

/** Marks every try a worker is running as alive, in one statement. */
export async function heartbeat(knex: Knex, workerId: string): Promise<number> {
  const { rowCount } = await knex.raw(
    `UPDATE orchestrator.task_instances SET heartbeat_at = clock_timestamp()
      WHERE worker_id = ? AND state = 'running'`,
    [workerId],
  );
  return rowCount ?? 0;
}
