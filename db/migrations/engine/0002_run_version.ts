import type { Knex } from 'knex';

/**
 * `dag_runs.version` counts the changes made to a run by hand (clear, mark). Finishing tries
 * decide what runs next from the task states they read, without holding a lock in between; the
 * decision is applied only if the run's version is still the one read with those states, so a
 * clear or mark that committed meanwhile is never overwritten by a decision made before it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE orchestrator.dag_runs ADD COLUMN version integer NOT NULL DEFAULT 0`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE orchestrator.dag_runs DROP COLUMN version`);
}
