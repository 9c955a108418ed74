import type { Knex } from 'knex';

/**
 * Two waiting states, Airflow's names:
 * - `scheduled`: the trigger rule is met, the task instance waits for a slot (its pool is full,
 *   or its DAG has reached its cap of active task instances);
 * - `up_for_reschedule`: a sensor poked, its condition did not hold yet, and it waits for its
 *   next poke without holding a worker slot.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orchestrator.task_instances DROP CONSTRAINT task_instances_state_check;
    ALTER TABLE orchestrator.task_instances ADD CONSTRAINT task_instances_state_check CHECK (state IN
      ('none','scheduled','queued','running','up_for_reschedule','success','failed','up_for_retry',
       'upstream_failed','skipped','cancelled'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE orchestrator.task_instances SET state = 'none' WHERE state = 'scheduled';
    UPDATE orchestrator.task_instances SET state = 'queued' WHERE state = 'up_for_reschedule';
    ALTER TABLE orchestrator.task_instances DROP CONSTRAINT task_instances_state_check;
    ALTER TABLE orchestrator.task_instances ADD CONSTRAINT task_instances_state_check CHECK (state IN
      ('none','queued','running','success','failed','up_for_retry','upstream_failed','skipped','cancelled'));
  `);
}
