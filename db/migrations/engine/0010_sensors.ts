import type { Knex } from 'knex';

/**
 * Sensors and branches on `task_instances`:
 * - `first_poke_at`, `pokes`: when a sensor first poked since it was last cleared, and how many
 *   pokes it has made; its timeout counts from the first poke. Between pokes the instance is
 *   `up_for_reschedule` with `next_try_at` the time of its next poke.
 * - `followed`: the direct downstream tasks a branch task chose when it succeeded; the others are
 *   skipped. NULL for every other task (and for a branch marked success by hand: all follow).
 * The index serves the sweep that re-enqueues a poke whose delayed job Redis lost.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orchestrator.task_instances
      ADD COLUMN first_poke_at timestamptz,
      ADD COLUMN pokes integer NOT NULL DEFAULT 0,
      ADD COLUMN followed text[];
    CREATE INDEX task_instances_reschedule_idx ON orchestrator.task_instances (next_try_at)
      WHERE state = 'up_for_reschedule';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX orchestrator.task_instances_reschedule_idx;
    ALTER TABLE orchestrator.task_instances
      DROP COLUMN first_poke_at,
      DROP COLUMN pokes,
      DROP COLUMN followed;
  `);
}
