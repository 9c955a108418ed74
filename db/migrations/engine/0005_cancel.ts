import type { Knex } from 'knex';

/**
 * `cancelled`: a distinct final state for task instances and runs that an operator (or the run
 * timeout, or a cancelled backfill) stopped, so the grid tells them from failures. A run keeps
 * who cancelled it and why (`cancelled_by`, `cancel_reason`). `reopened_at` stamps a clear or mark
 * that reopened an ended run: the run timeout counts from it, not from the run's first start.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orchestrator.task_instances DROP CONSTRAINT task_instances_state_check;
    ALTER TABLE orchestrator.task_instances ADD CONSTRAINT task_instances_state_check CHECK (state IN
      ('none','queued','running','success','failed','up_for_retry','upstream_failed','skipped','cancelled'));

    ALTER TABLE orchestrator.dag_runs DROP CONSTRAINT dag_runs_state_check;
    ALTER TABLE orchestrator.dag_runs ADD CONSTRAINT dag_runs_state_check
      CHECK (state IN ('running','success','failed','cancelled'));
    ALTER TABLE orchestrator.dag_runs
      ADD COLUMN cancelled_by text,
      ADD COLUMN cancel_reason text,
      ADD COLUMN reopened_at timestamptz;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE orchestrator.task_instances SET state = 'failed' WHERE state = 'cancelled';
    UPDATE orchestrator.dag_runs SET state = 'failed' WHERE state = 'cancelled';
    ALTER TABLE orchestrator.dag_runs
      DROP COLUMN cancelled_by, DROP COLUMN cancel_reason, DROP COLUMN reopened_at;
    ALTER TABLE orchestrator.dag_runs DROP CONSTRAINT dag_runs_state_check;
    ALTER TABLE orchestrator.dag_runs ADD CONSTRAINT dag_runs_state_check
      CHECK (state IN ('running','success','failed'));
    ALTER TABLE orchestrator.task_instances DROP CONSTRAINT task_instances_state_check;
    ALTER TABLE orchestrator.task_instances ADD CONSTRAINT task_instances_state_check CHECK (state IN
      ('none','queued','running','success','failed','up_for_retry','upstream_failed','skipped'));
  `);
}
