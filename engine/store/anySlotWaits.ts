import type { Knex } from 'knex';

/** Whether any task instance waits in `scheduled` for a slot (one look at a partial index). */
export async function anySlotWaits(knex: Knex | Knex.Transaction): Promise<boolean> {
  const { rows } = await knex.raw(
    `SELECT EXISTS (SELECT 1 FROM orchestrator.task_instances WHERE state = 'scheduled') AS waits`,
  );
  return rows[0].waits === true;
}
