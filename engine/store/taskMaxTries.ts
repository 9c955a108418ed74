import type { Knex } from 'knex';

/** How many tries a task instance may make in all, or undefined when it does not exist. */
export async function taskMaxTries(knex: Knex, runId: number, taskId: string): Promise<number | undefined> {
  const { rows } = await knex.raw(
    'SELECT max_tries FROM orchestrator.task_instances WHERE run_id = ? AND task_id = ?',
    [runId, taskId],
  );
  return rows[0]?.max_tries;
}
